"""``ContractAgent``: commits a confirmed order and its supply network to the DAML ledger.

It serves FIPA ``request`` conversations whose content is a :class:`~ontology.contract.CommitAgreement`,
from the agent of the order's manufacturer only, for the order as the store holds it (see
:mod:`agents.contract.authority`; anything else is answered ``refuse`` with a reason, and nothing is written):
it answers ``agree``, has each party write its own step of the agreement over the gRPC Ledger API with dazl
(:class:`ledger.commit.AgreementCommitter`: the customer places the order, the manufacturer accepts it and
proposes each supply, each supplier accepts its own), every step through the session of the party taking it
(a token of that party's own ledger user, its identity onboarded and stored: :mod:`agents.contract.sessions`),
and follows the transactions on the ledger's transaction stream until the contracts it hands back show there,
then ``inform`` with :class:`~ontology.contract.ContractCommitted` (the order agreement and the supply
agreements) or ``failure`` with a :class:`~ontology.common.Reason`. It never acts as a party with anyone
else's token. The model's DAR is deployed through the HTTP JSON API (``POST /v1/packages`` at
``LSO_LEDGER_JSON_API_URL``) before the first commit, as the paper deploys it. An agreement already on
the ledger for the order is reused only when it is this very agreement; another one is a ``failure``
(``agreement-conflict``) and fails the order.

Idempotent: command ids derive from the order id and the step, and every commit first reads the order's
contracts from the active contract set (so a restarted agent resumes where the last one stopped); a step the
ledger refuses as a duplicate (Daml's deduplication, a contract key) is resolved from the active contract set
too. A retried request (after a crash or a timeout of the requester) returns the same contract ids and never
creates a second set; for an order the store holds as ``contracted`` nothing new is written at all. While
the ledger is unreachable (gRPC UNAVAILABLE or deadline, connection refused; dazl reconnects) it retries
with bounded exponential backoff until ``commit_deadline``; the order is recorded ``contracting`` meanwhile
(in the agent's store, or through the tracker given), ``contracted`` when done. A ledger rejection (bad
terms, authorization) fails at once.

Run it on its own (settings from ``LSO_*`` and ``LSO_LEDGER_*`` variables; the parties' identities and tokens
as :mod:`agents.contract.sessions` says; the token that deploys the DAR (an operator's, ParticipantAdmin) from
``LSO_LEDGER_CLIENT_TOKEN``, else from the identity provider with the ``LSO_EFPF_*`` account)::

    python -m agents.contract_agent [--name contract]
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from uuid import UUID

import httpx

from agents.contract.authority import Admitted, authorise
from agents.contract.sessions import AgentSessions
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.entrypoint import agent_main, first_line
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings
from federation.errors import AuthenticationFailed, FederationError
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.settings import FederationSettings
from ledger.commit import AgreementCommitter, AgreementConflict, AgreementMissing
from ledger.deploy import DarDeployment
from ledger.identities.tokens import NoPartyToken
from ledger.jsonapi_client import (
    JsonApiClient,
    LedgerAuthError,
    LedgerRejected,
    LedgerUnavailable,
    RetryPolicy,
    TokenProvider,
    static_token,
)
from ledger.lifecycle import PartyNotOnboarded, PartySessions
from ledger.settings import LedgerSettings
from ontology.codec import ContentError, decode
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.events import EventCode, HistoryEvent, failed
from ontology.order import OrderStatus
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState
from store.database import Database

log = logging.getLogger(__name__)

AGREEMENT_CONFLICT = "agreement-conflict"
"""Reason of a ``failure``: another agreement for the order is on the ledger (it is never reused)."""
AGREEMENT_MISSING = "agreement-missing"
"""Reason of a ``failure``: the order is contracted, but its agreement is not (all) on the ledger."""
PARTY_NOT_ONBOARDED = "party-not-onboarded"
"""Reason of a ``failure``: a party of the order has no ledger party and user, or no token of its user."""


class IdentityTokens:
    """Ledger tokens from the identity provider (Keycloak password grant; the local federation service by
    default), cached and renewed by :class:`federation.identity.IdentityClient`. A token provider for
    :class:`~ledger.jsonapi_client.JsonApiClient`: an unreachable provider reads as an unavailable ledger
    (retried), refused credentials as an authentication error (not retried)."""

    def __init__(self, settings: FederationSettings | None = None) -> None:
        self._settings = settings
        self._http: httpx.AsyncClient | None = None
        self._client: IdentityClient | None = None

    async def __call__(self) -> str:
        if self._client is None:
            settings = self._settings or FederationSettings()
            self._http = make_http_client(settings)
            self._client = IdentityClient(settings, self._http)
        try:
            return await self._client.token()
        except AuthenticationFailed as exc:
            raise LedgerAuthError(401, [f"identity provider: {exc}"]) from exc
        except FederationError as exc:
            raise LedgerUnavailable(0, [f"identity provider: {exc}"]) from exc

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._http = self._client = None


class OrderTracker(Protocol):
    """Where the contracting of an order is recorded (the store: :class:`StoreOrderTracker`)."""

    async def status(self, order_id: UUID, status: OrderStatus, event: HistoryEvent) -> None: ...

    async def committed(self, result: ContractCommitted) -> None: ...


_TRACKED_FROM: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CONTRACTING: frozenset({OrderStatus.CONFIRMED}),
    OrderStatus.CONTRACTED: frozenset({OrderStatus.CONTRACTING}),
    OrderStatus.FAILED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CONTRACTING}),
}
"""The statuses the contracting moves an order from, per status it records: an order that moved on (a
contracted order asked for again, one in production) is left as it is."""


class StoreOrderTracker:
    """Records the order's status (``contracting``, then ``contracted`` or ``failed``) and its contract ids in
    the platform's database, each in its own transaction; a status the order already has, or a step from a
    status the contracting does not start from, is not written."""

    def __init__(self, db: Database, actor: str = "contract-agent") -> None:
        self.db = db
        self.actor = actor

    async def status(self, order_id: UUID, status: OrderStatus, event: HistoryEvent) -> None:
        async with self.db.transaction() as repos:
            current = await repos.orders.get(str(order_id))
            if current is None or current.status == status:
                return
            sources = _TRACKED_FROM.get(status)
            if sources is not None and current.status not in sources:
                log.info("order %s is %s: not recorded as %s", order_id, current.status, status)
                return
            await repos.orders.change_status(str(order_id), status, actor=self.actor, event=event)

    async def committed(self, result: ContractCommitted) -> None:
        async with self.db.transaction() as repos:
            for contract_id in result.contract_ids:
                await repos.orders.add_contract_id(str(result.order_id), contract_id)


@dataclass(frozen=True)
class CommitRetry:
    """Bounded exponential backoff of a whole commit while the ledger is unreachable."""

    first_delay: float = 0.5
    max_delay: float = 15.0
    deadline: timedelta = timedelta(minutes=10)

    def delay(self, attempt: int) -> float:
        return float(min(self.first_delay * (2**attempt), self.max_delay))


class Contracting:
    """Commits requests with retries (no XMPP here): one commit per order at a time; the tracker hears
    ``contracting`` first, then ``contracted`` (and the contract ids) or ``failed`` when the ledger refuses.
    When the ledger stays unreachable past the deadline the order stays ``contracting`` (nothing is lost:
    a retried request picks up where this one stopped)."""

    def __init__(
        self,
        committer: AgreementCommitter,
        retry: CommitRetry,
        tracker: OrderTracker | None = None,
        *,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``prepare``: awaited before each attempt (e.g. the DAR deployment), retried like the commit."""
        self.committer = committer
        self.retry = retry
        self.tracker = tracker
        self.prepare = prepare
        self._locks: dict[UUID, tuple[asyncio.Lock, int]] = {}
        """Per order being committed: its lock and how many commits hold or wait for it."""

    async def commit(
        self, request: CommitAgreement, *, existing_only: bool = False
    ) -> ContractCommitted | Reason:
        """The contracts of ``request`` (committed now or before), or why they could not be.
        ``existing_only``: they must be on the ledger already (a contracted order); nothing is written."""
        order_id = request.order.id
        lock, users = self._locks.get(order_id) or (asyncio.Lock(), 0)
        self._locks[order_id] = (lock, users + 1)
        try:
            async with lock:
                return await self._commit(request, existing_only)
        finally:
            lock, users = self._locks[order_id]
            if users > 1:
                self._locks[order_id] = (lock, users - 1)
            else:
                del self._locks[order_id]

    @property
    def orders_under_way(self) -> int:
        """Orders being committed now (their locks are dropped once no commit holds or waits for them)."""
        return len(self._locks)

    async def _commit(self, request: CommitAgreement, existing_only: bool) -> ContractCommitted | Reason:
        order_id = request.order.id
        await self._track(
            self._status(order_id, OrderStatus.CONTRACTING, HistoryEvent.of(EventCode.CONTRACTING))
        )
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.retry.deadline.total_seconds()
        attempt = 0
        while True:
            try:
                if self.prepare is not None:
                    await self.prepare()
                result = await self.committer.commit(request, existing_only=existing_only)
            except AgreementConflict as exc:
                log.warning("order %s: %s", order_id, exc)
                await self._track(self._status(order_id, OrderStatus.FAILED, failed(AGREEMENT_CONFLICT)))
                return Reason(reason=AGREEMENT_CONFLICT, detail=str(exc))
            except AgreementMissing as exc:
                log.warning("order %s: %s", order_id, exc)
                return Reason(reason=AGREEMENT_MISSING, detail=str(exc))
            except (PartyNotOnboarded, NoPartyToken) as exc:
                log.warning("order %s: %s", order_id, exc)
                await self._track(self._status(order_id, OrderStatus.FAILED, failed(PARTY_NOT_ONBOARDED)))
                return Reason(reason=PARTY_NOT_ONBOARDED, detail=str(exc))
            except LedgerRejected as exc:
                log.warning("the ledger refused order %s: %s", order_id, exc)
                await self._track(self._status(order_id, OrderStatus.FAILED, failed("contract-failed")))
                return Reason(reason="the ledger refused the agreement", detail=str(exc))
            except LedgerUnavailable as exc:
                delay = self.retry.delay(attempt)
                attempt += 1
                if loop.time() + delay > give_up:
                    log.error("ledger unreachable, order %s stays contracting", order_id)
                    return Reason(
                        reason="the ledger is unreachable; the order stays contracting, retry later",
                        detail=str(exc),
                    )
                log.info("ledger unreachable (%s); retry %d in %.1f s", exc, attempt, delay)
                await asyncio.sleep(delay)
                continue
            await self._track(self._committed(result))
            return result

    async def _status(self, order_id: UUID, status: OrderStatus, event: HistoryEvent) -> None:
        if self.tracker is not None:
            await self.tracker.status(order_id, status, event)

    async def _committed(self, result: ContractCommitted) -> None:
        if self.tracker is not None:
            await self.tracker.committed(result)
            committed = HistoryEvent.of(EventCode.CONTRACTS_COMMITTED)
            await self.tracker.status(result.order_id, OrderStatus.CONTRACTED, committed)

    @staticmethod
    async def _track(step: Awaitable[None]) -> None:
        try:
            await step
        except Exception:
            log.exception("could not record the contracting of an order")


class ContractAgent(PlatformAgent):
    """Serves ``fipa-request`` conversations carrying :class:`CommitAgreement`."""

    def __init__(
        self,
        name: str,
        settings: Settings | None = None,
        *,
        sessions: PartySessions | None = None,
        deployment: DarDeployment | None = None,
        ledger_settings: LedgerSettings | None = None,
        token: TokenProvider | None = None,
        retry: CommitRetry | None = None,
        tracker: OrderTracker | None = None,
        password: str | None = None,
        store: Database | None = None,
    ) -> None:
        """``sessions``: the ledger session of each party (default: :class:`agents.contract.sessions.
        AgentSessions`, dazl at ``grpc_url``; ``lso run`` passes its identity service's); ``deployment``: the
        DAR upload before the first commit (default: through the JSON API at ``json_api_url``, with the
        operator's token ``token``); ``tracker``: where the contracting is recorded (default: the agent's
        :attr:`store`); ``store``: the platform's store, read to authorise requests (default: the store of
        ``settings``)."""
        super().__init__(name, settings, password=password)
        if store is not None:
            self.store = store
        ls = ledger_settings or LedgerSettings()
        self._identity: IdentityTokens | None = None
        if deployment is None:
            if token is None and ls.client_token is not None:
                token = static_token(ls.client_token.get_secret_value())
            elif token is None and ls.client_identity:
                token = self._identity = IdentityTokens()
        if sessions is None:
            sessions = AgentSessions(lambda: self.store, ls, self.settings)
        if deployment is None:
            client = JsonApiClient(
                ls.json_api_url,
                token,
                timeout=ls.client_timeout,
                retry=RetryPolicy(
                    attempts=ls.client_retries, backoff=ls.client_backoff, backoff_max=ls.client_backoff_max
                ),
            )
            dar_file = ls.dar_file
            deployment = DarDeployment.of_file(client, dar_file) if dar_file else DarDeployment(client)
        self.sessions = sessions
        self.deployment = deployment
        self.retry = retry or CommitRetry(
            first_delay=ls.commit_retry_delay,
            max_delay=ls.commit_retry_max_delay,
            deadline=timedelta(seconds=ls.commit_deadline),
        )
        self.contracting = Contracting(AgreementCommitter(sessions), self.retry, tracker, prepare=deployment)
        self._admitted: dict[tuple[str, str], Admitted] = {}

    async def setup(self) -> None:
        if self.contracting.tracker is None:
            self.contracting.tracker = StoreOrderTracker(self.store)
        self.serve(ProtocolName.REQUEST, self._open_request, admit=self._admit)

    async def stop(self) -> None:
        try:
            await super().stop()
        finally:
            for closing in (self.sessions, self.deployment):
                aclose = getattr(closing, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
            if self._identity is not None:
                await self._identity.aclose()

    async def _admit(self, message: AclMessage) -> Reason | None:
        """Why ``message`` may not open a commit (:func:`agents.contract.authority.authorise`), or None. What
        is no CommitAgreement request is left to the conversation, which answers ``not-understood``."""
        if message.performative is not Performative.REQUEST:
            return None
        try:
            request = decode(message.content, CommitAgreement, remember=False)
        except ContentError:
            return None
        verdict = await authorise(self.directory, self.store, message.sender, request)
        if isinstance(verdict, Reason):
            return verdict
        self._admitted[_opening_key(message)] = verdict
        return None

    def _open_request(self, message: AclMessage) -> None:
        admitted = self._admitted.pop(_opening_key(message), None)
        machine = RequestParticipant.for_message(
            message,
            me=self.address,
            patience=self.retry.deadline + timedelta(seconds=30),
            content_types={Performative.REQUEST: (CommitAgreement,)},
        )

        async def decide(conversation: ConversationBehaviour[RequestParticipant]) -> None:
            await self._decide(conversation, admitted)

        self.open_conversation(machine, on_update=decide, opening=message)

    async def _decide(
        self, conversation: ConversationBehaviour[RequestParticipant], admitted: Admitted | None
    ) -> None:
        machine = conversation.machine
        request = machine.request
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or request is None:
            return
        if admitted is None:  # opened without passing the admission check: never committed
            why = Reason(reason=NOT_AUTHORISED, detail="the request was not authorised")
            conversation.act(lambda m, now: m.refuse(why, now=now))
            return
        commit = decode(request.content, CommitAgreement)
        conversation.act(
            lambda m, now: m.agree(now=now, result_by=now + self.retry.deadline + timedelta(seconds=15))
        )
        outcome = await self.commit(commit, existing_only=admitted.reuse_only)
        if not _still_agreed(conversation):
            return
        if isinstance(outcome, ContractCommitted):
            conversation.act(lambda m, now: m.inform(outcome, now=now))
        else:
            conversation.act(lambda m, now: m.failure(outcome, now=now))

    async def commit(
        self, request: CommitAgreement, *, existing_only: bool = False
    ) -> ContractCommitted | Reason:
        """Commit ``request`` (retrying while the ledger is unreachable); the result or why it failed. It is
        not authorised here: the requests of peers are, before they reach this (:meth:`_admit`)."""
        return await self.contracting.commit(request, existing_only=existing_only)


def _opening_key(message: AclMessage) -> tuple[str, str]:
    return (message.sender, message.conversation_id or "")


def _still_agreed(conversation: ConversationBehaviour[RequestParticipant]) -> bool:
    """After the commit: the conversation is still waiting for our result (not cancelled nor timed out)."""
    return not conversation.closed and conversation.machine.state is RequestParticipantState.AGREED


def main(argv: list[str] | None = None) -> None:
    agent_main(lambda name, settings: ContractAgent(name, settings), "contract", first_line(__doc__), argv)


if __name__ == "__main__":
    main()
