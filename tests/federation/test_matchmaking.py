"""The three steps end to end over real HTTP: FindSuppliers in, SupplierCandidates out."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import SecretStr

from common.net import bind
from federation import find_suppliers
from federation.errors import AuthenticationFailed
from federation.matchmaking import EfpfMatchmaker
from federation.service.serve import RunningService
from federation.settings import FederationSettings
from ontology.matchmaking import FindSuppliers
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart
from tests.federation.conftest import Control

FRAME = RequiredPart(
    part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium", machine_minutes=90
)
BRACKET = RequiredPart(part_id="bracket", process=ProcessKind.CNC_MILLING, material="aluminium", quantity=4)
SEAT = RequiredPart(
    part_id="seat",
    process=ProcessKind.TEXTILE_CUTTING_SEWING,
    material="leather",
    quality=QualityLevel.PREMIUM,
)
BOARD = RequiredPart(part_id="board", process=ProcessKind.PCB_ASSEMBLY, material="FR-4", machine_minutes=30)
NOTHING = RequiredPart(part_id="impossible", process=ProcessKind.FORGING, material="unobtainium")


async def test_candidates_per_part_in_three_steps(settings: FederationSettings, control: Control) -> None:
    request = FindSuppliers(order_id=uuid4(), parts=(FRAME, BRACKET, SEAT, BOARD), max_per_part=4)
    async with EfpfMatchmaker(settings) as matchmaker:
        result = await matchmaker.find_suppliers(request)
        ranked = await matchmaker.candidates(request)
    assert result.order_id == request.order_id
    assert [entry.part_id for entry in result.candidates] == ["frame", "bracket", "seat", "board"]
    for part in request.parts:
        suppliers = result.for_part(part.part_id)
        assert 1 <= len(suppliers) <= 4
        assert all(supplier.can_supply(part) for supplier in suppliers)
        prices = [found.estimate(part) for found in ranked[part.part_id]]
        assert prices == sorted(prices)  # type: ignore[type-var]
    counters = control.counters()
    assert counters["grant:password"] == 1  # one token for everything
    assert counters["registry"] == 1  # one look-up, cached
    # frame and bracket share a search; both calls of the test searched 3 distinct queries
    assert counters["search"] >= 6


async def test_certifications_and_rating_narrow_the_candidates(settings: FederationSettings) -> None:
    request = FindSuppliers(
        order_id=uuid4(),
        parts=(FRAME,),
        certifications=("ISO 9001", "ISO 14001"),
        min_rating=4.0,
        max_per_part=50,
    )
    result = await find_suppliers(request, settings)
    suppliers = result.for_part("frame")
    assert suppliers
    for supplier in suppliers:
        assert supplier.has_certifications(("ISO 9001", "ISO 14001"))
        assert supplier.rating is not None and supplier.rating >= 4.0


async def test_a_part_nobody_makes_gets_no_candidates(settings: FederationSettings) -> None:
    result = await find_suppliers(FindSuppliers(order_id=uuid4(), parts=(FRAME, NOTHING)), settings)
    assert result.uncovered(["frame", "impossible"]) == ["impossible"]


async def test_a_search_service_that_moved_is_looked_up_again(
    settings: FederationSettings, service: RunningService
) -> None:
    async with EfpfMatchmaker(settings) as matchmaker:
        with bind("127.0.0.1", 0) as dead:
            matchmaker._search_url = f"http://127.0.0.1:{dead.getsockname()[1]}/apis/search"
            result = await matchmaker.find_suppliers(FindSuppliers(order_id=uuid4(), parts=(BOARD,)))
        assert result.for_part("board")
        assert await matchmaker.search_base_url() == f"{service.url}/apis/search"


async def test_bad_credentials_fail_the_whole_request(settings: FederationSettings) -> None:
    wrong = settings.model_copy(update={"password": SecretStr("wrong")})
    with pytest.raises(AuthenticationFailed):
        await find_suppliers(FindSuppliers(order_id=uuid4(), parts=(FRAME,)), wrong)
