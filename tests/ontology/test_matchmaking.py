"""Requests to the matchmaker and its candidate lists."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from ontology import FindSuppliers, PartCandidates, ProcessKind, RequiredPart, SupplierCandidates
from tests.ontology.examples import supplier

ORDER = uuid4()


def test_find_suppliers_needs_unique_parts() -> None:
    part = RequiredPart(part_id="frame", process=ProcessKind.CNC_MILLING)
    with pytest.raises(ValidationError, match="'frame' requested more than once"):
        FindSuppliers(order_id=ORDER, parts=(part, part))
    with pytest.raises(ValidationError, match="at least 1 item"):
        FindSuppliers(order_id=ORDER, parts=())


def test_candidates_per_part() -> None:
    s1, s2 = supplier(), supplier(id="s2")
    found = SupplierCandidates(
        order_id=ORDER,
        candidates=(PartCandidates(part_id="frame", suppliers=(s1, s2)), PartCandidates(part_id="paint")),
    )
    assert found.for_part("frame") == (s1, s2)
    assert found.for_part("paint") == ()
    assert found.uncovered(["frame", "paint", "wheels"]) == ["paint", "wheels"]


def test_candidates_refuse_duplicates() -> None:
    with pytest.raises(ValidationError, match="supplier\\(s\\) 's1' twice"):
        PartCandidates(part_id="frame", suppliers=(supplier(), supplier()))
    with pytest.raises(ValidationError, match="'frame' listed more than once"):
        SupplierCandidates(
            order_id=ORDER, candidates=(PartCandidates(part_id="frame"), PartCandidates(part_id="frame"))
        )
