"""The MatchmakerAgent over real XMPP: a FIPA request for suppliers answered by inform (candidates
per part) or failure with the reason, the agent in its own OS process, EFPF being the local
federation service (in this process, on loopback, with test controls to switch faults). It serves the
platform's accounts (the probe is bound as a platform service) and manufacturers' agents; the refusal of
everyone else is in ``test_sender_spoofing``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest

from agents.matchmaker import NO_SUPPLIER
from agents.runtime.conversation_behaviour import ConversationBehaviour
from common.settings import Settings
from federation.service.serve import RunningService, ServiceThread
from federation.settings import ADMIN_PASSWORD, ADMIN_USER, FederationSettings
from ontology.codec import decode
from ontology.common import Ping, Reason
from ontology.matchmaking import FindSuppliers, SupplierCandidates
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from protocols.performative import Performative
from protocols.request import RequestInitiator, RequestInitiatorState
from store.enums import AgentRole
from tests.agents.conftest import Peer, spawn_agent, unique
from tests.agents.probe import WAIT, Probe
from tests.federation.conftest import Control
from tests.xmpp_accounts import started

FRAME = RequiredPart(
    part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium", machine_minutes=90
)
COVER = RequiredPart(part_id="cover", process=ProcessKind.TEXTILE_CUTTING_SEWING, material="leather")
NOTHING = RequiredPart(part_id="impossible", process=ProcessKind.FORGING, material="unobtainium")


@pytest.fixture(scope="module")
def efpf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    settings = FederationSettings(
        _env_file=None,
        service_port=0,
        service_data_dir=tmp_path_factory.mktemp("efpf"),
        service_test_controls=True,
    )
    with ServiceThread(settings) as running:
        yield running


@pytest.fixture(scope="module")
def control(efpf: RunningService) -> Iterator[Control]:
    control = Control(efpf.url)
    yield control
    control.client.close()


@pytest.fixture(scope="module")
async def matchmaker(server: tuple[str, Settings], efpf: RunningService) -> AsyncIterator[str]:
    """A MatchmakerAgent in its own process, on the server under test; its JID."""
    _, settings = server
    env = {
        "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
        "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
        "LSO_EFPF_REGISTRY_CACHE_SECONDS": "0",  # look the search service up on every request
        "LSO_EFPF_RETRIES": "1",
        "LSO_EFPF_BACKOFF_SECONDS": "0.01",
        "LSO_EFPF_TIMEOUT_SECONDS": "3",
    }
    child = await spawn_agent(
        "agents.matchmaker", unique("matchmaker"), settings, party="matchmaker", extra_env=env
    )
    yield child.ready_line
    await child.stop()


@pytest.fixture(autouse=True)
def _fresh(control: Control) -> Iterator[None]:
    control.reset()
    yield
    control.reset()


async def ask(probe: Probe, matchmaker: str, *parts: RequiredPart) -> ConversationBehaviour[RequestInitiator]:
    request = FindSuppliers(order_id=uuid4(), parts=parts, max_per_part=3)
    conversation = probe.open_conversation(RequestInitiator(me=probe.address))
    conversation.act(
        lambda m, now: m.start(request, matchmaker, now=now, reply_by=now + timedelta(seconds=WAIT))
    )
    async with asyncio.timeout(WAIT):
        await conversation.outcome()
    return conversation


def failure_reason(conversation: ConversationBehaviour[RequestInitiator]) -> Reason:
    machine = conversation.machine
    assert machine.state is RequestInitiatorState.FAILED, machine.outcome
    return decode(machine.replies[-1].content, Reason)


async def test_candidates_per_part(probe: Probe, matchmaker: str, control: Control) -> None:
    conversation = await ask(probe, matchmaker, FRAME, COVER)
    machine = conversation.machine
    assert machine.state is RequestInitiatorState.DONE
    assert [reply.performative for reply in machine.replies] == [Performative.AGREE, Performative.INFORM]
    result = machine.result
    assert result is not None and result.sender == matchmaker
    assert machine.request is not None and result.in_reply_to == machine.request.reply_with
    candidates = decode(result.content, SupplierCandidates)
    assert candidates.order_id == decode(machine.request.content, FindSuppliers).order_id
    for part in (FRAME, COVER):
        suppliers = candidates.for_part(part.part_id)
        assert 1 <= len(suppliers) <= 3
        assert all(supplier.can_supply(part) for supplier in suppliers)
    counters = control.counters()
    assert counters["registry"] >= 1 and counters["search"] >= 2


async def test_a_manufacturers_agent_is_served(peer: Peer, matchmaker: str) -> None:
    manufacturer = await started(
        Probe(unique("manufacturer"), peer.settings), role=AgentRole.MANUFACTURER, party="m-1"
    )
    try:
        conversation = await ask(manufacturer, matchmaker, FRAME)
    finally:
        await manufacturer.stop()
    assert conversation.machine.state is RequestInitiatorState.DONE, conversation.machine.outcome
    assert conversation.machine.result is not None
    assert decode(conversation.machine.result.content, SupplierCandidates).for_part(FRAME.part_id)


async def test_no_supplier_for_a_part(probe: Probe, matchmaker: str) -> None:
    reason = failure_reason(await ask(probe, matchmaker, FRAME, NOTHING))
    assert reason.reason == NO_SUPPLIER
    assert reason.detail is not None and "'impossible'" in reason.detail


async def test_efpf_unreachable(probe: Probe, matchmaker: str, control: Control) -> None:
    control.fault("search", count=50, status=503)
    reason = failure_reason(await ask(probe, matchmaker, FRAME))
    assert reason.reason == "efpf-unreachable"
    assert reason.detail is not None and "503" in reason.detail


async def test_bad_credentials(probe: Probe, matchmaker: str, control: Control) -> None:
    control.revoke_tokens()  # the agent's cached token stops working...
    control.fault("token", count=50, status=401)  # ...and the identity provider refuses the account
    reason = failure_reason(await ask(probe, matchmaker, FRAME))
    assert reason.reason == "efpf-bad-credentials"


async def test_no_search_service(probe: Probe, matchmaker: str, efpf: RunningService) -> None:
    async with httpx.AsyncClient(base_url=efpf.url) as http:
        token = await http.post(
            "/auth/realms/efpf/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "lso-platform",
                "username": ADMIN_USER,
                "password": ADMIN_PASSWORD,
            },
        )
        deleted = await http.delete(
            "/apis/sr/efpf-federated-search",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert deleted.status_code == 200
    reason = failure_reason(await ask(probe, matchmaker, FRAME))
    assert reason.reason == "efpf-no-search-service"


async def test_other_content_is_not_understood(probe: Probe, matchmaker: str) -> None:
    conversation = probe.open_conversation(RequestInitiator(me=probe.address))
    conversation.act(
        lambda m, now: m.start(Ping(), matchmaker, now=now, reply_by=now + timedelta(seconds=WAIT))
    )
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.NOT_UNDERSTOOD
