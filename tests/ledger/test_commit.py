"""Committing an agreement on model v2, each step through the session of the party who takes it (its own
ledger user's token; no token that acts as any party): the contracts and who signed them, idempotence under
Daml's dedup (a duplicate command is refused, the agreement is found by key), a crash at every step, two
committers racing, the transaction stream followed, and another agreement already on the ledger for the order
(never reused)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import pytest

from ledger.commit import (
    CUSTOMER_ORDER,
    FOLLOWED,
    ORDER_AGREEMENT,
    SUPPLY_AGREEMENT,
    SUPPLY_PROPOSAL,
    AgreementCommitter,
    AgreementConflict,
    AgreementMissing,
    command_id,
    plan,
)
from ledger.commit_dazl import DazlCommitLedger
from ledger.jsonapi_client import (
    ActiveContract,
    ExerciseResult,
    JsonApiClient,
    LedgerAuthError,
    LedgerRejected,
    LedgerUnavailable,
    TokenProvider,
)
from ledger.lifecycle import LedgerCalls, OrderTerms, PartyNotOnboarded, TokenSessions
from ledger.testing import LedgerProcess
from ontology.contract import CommitAgreement, PartyRole
from tests.ledger.examples import commit_request, priced, with_network
from tests.ledger.party_sessions import Identity, onboard_all, sessions, user_token
from tests.ledger.storages import STORAGES, process_database_sync

SECRET = "commit-test-secret-0123456789abcdef"
PARTIES = {
    "c1": PartyRole.CUSTOMER,
    "m1": PartyRole.MANUFACTURER,
    "s1": PartyRole.SUPPLIER,
    "s2": PartyRole.SUPPLIER,
}
TEMPLATES = [CUSTOMER_ORDER, ORDER_AGREEMENT, SUPPLY_PROPOSAL, SUPPLY_AGREEMENT]
Identities = dict[tuple[PartyRole, str], Identity]


@pytest.fixture(scope="module", params=STORAGES)
def ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LedgerProcess]:
    """The ledger on SQLite, then on PostgreSQL (a crash and restart keep what was committed on both), with
    party ids as Canton allocates them (``<hint>::<fingerprint>``)."""
    with process_database_sync(request.param, "lso_commit_test") as url:
        process = LedgerProcess(
            tmp_path_factory.mktemp("commit"),
            secret=SECRET,
            database_url=url,
            env={"LSO_LEDGER_PARTY_IDS": "canton"},
        )
        process.start()
        try:
            yield process
        finally:
            process.stop()


@pytest.fixture(scope="module")
async def identities(ledger: LedgerProcess) -> Identities:
    return await onboard_all(ledger, SECRET, PARTIES)


@pytest.fixture
async def parties(ledger: LedgerProcess, identities: Identities) -> AsyncIterator[TokenSessions]:
    opened = sessions(ledger, SECRET, identities)
    yield opened
    await opened.aclose()


def party(identities: Identities, platform_id: str) -> str:
    return next(i.party for (_, pid), i in identities.items() if pid == platform_id)


def as_user(ledger: LedgerProcess, identities: Identities, platform_id: str) -> JsonApiClient:
    """A JSON API client with the token of ``platform_id``'s ledger user."""
    user = next(i.user_id for (_, pid), i in identities.items() if pid == platform_id)

    async def token() -> str:
        return user_token(SECRET, user)

    return JsonApiClient(ledger.info.json_api, token)


async def contracts_of(ledger: LedgerProcess, identities: Identities, order_id: str) -> dict[str, list[str]]:
    """The order's active contracts, as its manufacturer sees them (all of them), per template entity."""
    found: dict[str, list[str]] = {}
    async with as_user(ledger, identities, "m1") as reader:
        for c in await reader.query(TEMPLATES, {"orderId": order_id}):
            found.setdefault(c.template_id.rsplit(":", 1)[1], []).append(c.contract_id)
    return found


async def test_each_party_writes_its_own_step_and_the_commit_is_idempotent(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    request = commit_request()
    committed = await AgreementCommitter(parties).commit(request)
    assert {ref.supplier_id for ref in committed.supply_contracts} == {"s1", "s2"}
    order_id = str(request.order.id)
    found = await contracts_of(ledger, identities, order_id)
    assert found == {
        "OrderAgreement": [committed.order_contract_id],
        "SupplyAgreement": found["SupplyAgreement"],
    }  # the customer order was consumed by its acceptance, every proposal by its own
    assert sorted(found["SupplyAgreement"]) == sorted(r.contract_id for r in committed.supply_contracts)

    c1, m1, s1, s2 = (party(identities, p) for p in ("c1", "m1", "s1", "s2"))
    assert all("::" in p for p in (c1, m1, s1, s2))  # the ids the ledger allocated, not the hints
    async with as_user(ledger, identities, "c1") as customer:
        agreement = await customer.fetch(committed.order_contract_id)
    assert agreement is not None and sorted(agreement.signatories) == sorted([c1, m1])
    assert (
        agreement.payload["price"] in ("420", "420.0000000000")
        and agreement.payload["deliveryDate"] == "2030-06-20"
    )
    s1_supply = next(r.contract_id for r in committed.supply_contracts if r.supplier_id == "s1")
    async with as_user(ledger, identities, "s1") as supplier, as_user(ledger, identities, "s2") as other:
        supply = await supplier.fetch(s1_supply)
        assert supply is not None and sorted(supply.signatories) == sorted([m1, s1])
        assert [i["itemId"] for i in supply.payload["items"]] == ["frame", "paint"]
        assert await other.fetch(s1_supply) is None  # the other supplier does not see it

    again = await AgreementCommitter(parties).commit(request)
    assert again.contract_ids == committed.contract_ids
    assert await contracts_of(ledger, identities, order_id) == found


async def test_a_duplicate_command_is_refused_and_the_step_found_by_key(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    """Daml dedup: the same command id again is refused (ALREADY_EXISTS), not answered with its first
    result; a commit that sees nothing before writing (as a racing one) finds every step by key."""
    request = commit_request()
    committed = await AgreementCommitter(parties).commit(request)
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    p = plan(
        request, customer.party, party(identities, "m1"), {s: party(identities, s) for s in ("s1", "s2")}
    )
    with pytest.raises(LedgerRejected) as duplicate:
        await customer.client.create(
            CUSTOMER_ORDER,
            p.order.payload(),
            act_as=[customer.party],
            command_id=command_id(p.order_id, "order"),
        )
    assert duplicate.value.status == 409 and "ALREADY_EXISTS" in str(duplicate.value)
    blind = sessions(ledger, SECRET, identities, connect=blind_connector(ledger))
    try:
        assert (await AgreementCommitter(blind).commit(request)).contract_ids == committed.contract_ids
    finally:
        await blind.aclose()
    assert len((await contracts_of(ledger, identities, str(request.order.id)))["OrderAgreement"]) == 1


class BlindLedger(DazlCommitLedger):
    """Its first read sees nothing (as a commit racing another one): its first write is then a duplicate."""

    seen = False

    async def query(self, *args: Any, **kwargs: Any) -> list[ActiveContract]:
        if not self.seen:
            self.seen = True
            return []
        return await super().query(*args, **kwargs)


def blind_connector(ledger: LedgerProcess) -> Callable[[TokenProvider], LedgerCalls]:
    def connect(token: TokenProvider) -> LedgerCalls:
        return BlindLedger(f"http://{ledger.info.grpc}", token, timeout=5.0, application_id=None)

    return connect


async def test_two_committers_racing_make_one_set(ledger: LedgerProcess, identities: Identities) -> None:
    request = commit_request()
    one, two = sessions(ledger, SECRET, identities), sessions(ledger, SECRET, identities)
    try:
        first, second = await asyncio.gather(
            AgreementCommitter(one).commit(request), AgreementCommitter(two).commit(request)
        )
    finally:
        await one.aclose()
        await two.aclose()
    assert first.contract_ids == second.contract_ids
    found = await contracts_of(ledger, identities, str(request.order.id))
    assert found["OrderAgreement"] == [first.order_contract_id] and len(found["SupplyAgreement"]) == 2


async def test_the_commit_follows_its_transactions(identities: Identities, parties: TokenSessions) -> None:
    """The contracts handed back are confirmed on the manufacturer's transaction stream from before the
    first write; a contract that never shows there is not confirmed (retry later)."""
    maker = await parties.session(PartyRole.MANUFACTURER, "m1")
    assert isinstance(maker.client, DazlCommitLedger)
    since = await maker.client.ledger_end()
    committed = await AgreementCommitter(parties).commit(commit_request())
    seen = await maker.client.follow(FOLLOWED, since, committed.contract_ids, readers=[maker.party])
    assert set(seen) == set(committed.contract_ids)
    assert seen[committed.order_contract_id].payload["customer"] == party(identities, "c1")
    m1 = identities[(PartyRole.MANUFACTURER, "m1")].user_id
    async with DazlCommitLedger(maker.client.url, user_token(SECRET, m1), timeout=0.3) as quick:
        with pytest.raises(LedgerUnavailable, match="did not show"):
            await quick.follow(FOLLOWED, since, ["#0:0-unknown"], readers=[maker.party])


class CrashAfter:
    """Every party's client counts the commands (create/exercise) of all; after the ``n``-th one is committed,
    the ledger is killed and the answer lost, as a crash of the ledger host would. The commands of a commit:
    1 customer order, 2 its acceptance, 3-4 supply proposal and acceptance of s1, 5-6 of s2."""

    def __init__(self, process: LedgerProcess, n: int) -> None:
        self.process = process
        self.n = n
        self.commands = 0

    def counted(self) -> None:
        self.commands += 1
        if self.commands == self.n:
            self.process.kill()
            raise LedgerUnavailable(503, ["UNAVAILABLE: connection lost"])

    def connect(self, token: TokenProvider) -> LedgerCalls:
        return _Crashing(self, f"http://{self.process.info.grpc}", token, timeout=2.0, application_id=None)


class _Crashing(DazlCommitLedger):
    def __init__(self, crash: CrashAfter, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crash = crash

    async def create(self, *args: Any, **kwargs: Any) -> ActiveContract:
        created = await super().create(*args, **kwargs)
        self.crash.counted()
        return created

    async def exercise(self, *args: Any, **kwargs: Any) -> ExerciseResult:
        result = await super().exercise(*args, **kwargs)
        self.crash.counted()
        return result


@pytest.mark.parametrize("crash_after", [1, 2, 3, 6])
async def test_ledger_crash_during_commit_yields_exactly_one_set(
    ledger: LedgerProcess, identities: Identities, crash_after: int
) -> None:
    request = commit_request()
    crashing = sessions(ledger, SECRET, identities, connect=CrashAfter(ledger, crash_after).connect)
    try:
        with pytest.raises(LedgerUnavailable):
            await AgreementCommitter(crashing).commit(request)
    finally:
        await crashing.aclose()
    assert not ledger.running
    await ledger.astart()
    resumed = sessions(ledger, SECRET, identities)
    try:
        committed = await AgreementCommitter(resumed).commit(request)
    finally:
        await resumed.aclose()
    found = await contracts_of(ledger, identities, str(request.order.id))
    assert found["OrderAgreement"] == [committed.order_contract_id]
    assert sorted(found["SupplyAgreement"]) == sorted(r.contract_id for r in committed.supply_contracts)
    assert set(found) == {"OrderAgreement", "SupplyAgreement"} and len(found["SupplyAgreement"]) == 2


async def test_a_different_agreement_on_the_ledger_is_never_reused(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    """The attack: a forged request for a real order (price 1.00) was committed first; the order's own
    agreement then finds it on the ledger and fails instead of reusing it."""
    request = commit_request()
    forged = await AgreementCommitter(parties).commit(priced(request, "1.00"))
    before = await contracts_of(ledger, identities, str(request.order.id))
    with pytest.raises(AgreementConflict) as conflict:
        await AgreementCommitter(parties).commit(request)
    assert isinstance(conflict.value, LedgerRejected)
    message = str(conflict.value)
    assert message.startswith(f"a different agreement for order {request.order.id} is on the ledger")
    assert forged.order_contract_id in message and "price" in message and "items" in message
    assert await contracts_of(ledger, identities, str(request.order.id)) == before  # nothing written


async def test_another_supply_network_on_the_ledger_is_a_conflict(parties: TokenSessions) -> None:
    request = commit_request()
    await AgreementCommitter(parties).commit(with_network(request, "1.00"))
    with pytest.raises(AgreementConflict, match="supply agreement"):
        await AgreementCommitter(parties).commit(request)


async def test_a_pending_forged_order_is_not_accepted(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    """A forged customer order (price 1.00) pending for the order: the commit finds it and stops before
    writing (the manufacturer never accepts it)."""
    request = commit_request()
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    await customer.place_order(_order_terms(priced(request, "1.00"), identities))
    with pytest.raises(AgreementConflict, match="customer order"):
        await AgreementCommitter(parties).commit(request)
    found = await contracts_of(ledger, identities, str(request.order.id))
    assert found.keys() == {"CustomerOrder"}


async def test_a_deduplicated_command_whose_contract_is_gone_is_a_conflict(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    """The forged order was withdrawn (so no read finds it), but its command id is still deduplicated: the
    customer's order is refused as a duplicate, nothing of this agreement is on the ledger, and the commit
    stops there."""
    request = commit_request()
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    await customer.place_order(_order_terms(priced(request, "1.00"), identities))
    await customer.withdraw_order(str(request.order.id))
    with pytest.raises(AgreementConflict, match=":order was refused as a duplicate"):
        await AgreementCommitter(parties).commit(request)
    assert await contracts_of(ledger, identities, str(request.order.id)) == {}


def _order_terms(request: CommitAgreement, identities: Identities) -> OrderTerms:
    suppliers = {s: party(identities, s) for s in ("s1", "s2")}
    return plan(request, party(identities, "c1"), party(identities, "m1"), suppliers).order


async def test_existing_only_writes_nothing(
    ledger: LedgerProcess, identities: Identities, parties: TokenSessions
) -> None:
    request = commit_request()
    with pytest.raises(AgreementMissing) as missing:
        await AgreementCommitter(parties).commit(request, existing_only=True)
    assert "order agreement" in str(missing.value)
    assert await contracts_of(ledger, identities, str(request.order.id)) == {}
    committed = await AgreementCommitter(parties).commit(request)
    again = await AgreementCommitter(parties).commit(request, existing_only=True)
    assert again.contract_ids == committed.contract_ids


async def test_a_party_cannot_sign_with_another_partys_user(
    ledger: LedgerProcess, identities: Identities
) -> None:
    """A session for the customer that holds the manufacturer's user token: the ledger refuses the customer's
    order (the token may act as the manufacturer only) and nothing is written."""
    m1 = identities[(PartyRole.MANUFACTURER, "m1")]
    wrong = {**identities, (PartyRole.CUSTOMER, "c1"): Identity(party(identities, "c1"), m1.user_id)}
    crossed = sessions(ledger, SECRET, wrong)
    request = commit_request()
    try:
        with pytest.raises(LedgerAuthError):
            await AgreementCommitter(crossed).commit(request)
    finally:
        await crossed.aclose()
    assert await contracts_of(ledger, identities, str(request.order.id)) == {}


async def test_a_party_without_a_ledger_identity_is_refused_in_words(
    ledger: LedgerProcess, identities: Identities
) -> None:
    request = commit_request(customer="c-unknown")
    unknown = sessions(ledger, SECRET, identities)
    with pytest.raises(PartyNotOnboarded, match="customer c-unknown has no ledger party and user"):
        await AgreementCommitter(unknown).commit(request)
    await unknown.aclose()


def test_same_terms_whatever_the_json_spelling() -> None:
    wanted = plan(commit_request(), "c::1", "m::1", {"s1": "s1::1", "s2": "s2::1"}).order
    payload = wanted.payload()
    spelled = {
        **payload,
        "price": "420.0000000000",
        "quantity": str(payload["quantity"]),
        "items": [
            {**i, "quantity": str(i["quantity"]), "price": i["price"] + ".00"} for i in payload["items"]
        ],
        "penalty": {"perDayLate": "5.0", "cap": None},
    }
    assert wanted.differing(OrderTerms.model_validate(spelled)) == []
    assert wanted.differing(OrderTerms.model_validate({**payload, "price": "1"})) == ["price"]
    assert wanted.differing(OrderTerms.model_validate({**payload, "penalty": None})) == ["penalty"]
    both: Sequence[str] = wanted.differing(
        OrderTerms.model_validate({**payload, "currency": "USD", "customer": "x"})
    )
    assert sorted(both) == ["currency", "customer"]
