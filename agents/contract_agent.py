"""``ContractAgent``: commits a confirmed order and its supply network to the DAML ledger.

It serves FIPA ``request`` conversations whose content is a :class:`~ontology.contract.CommitAgreement`:
it answers ``agree`` at once, commits through the HTTP JSON API (:class:`ledger.commit.AgreementCommitter`),
then ``inform`` with :class:`~ontology.contract.ContractCommitted` (the contract ids) or ``failure`` with a
:class:`~ontology.common.Reason`.

Idempotent: command ids derive from the order id and the step, so a retried request (after a crash or a
timeout of the requester) returns the same contract ids and never creates a second set. While the ledger is
unreachable (connection refused, timeouts, 5xx) it retries with bounded exponential backoff until
``commit_deadline``; the order is reported ``contracting`` meanwhile (through the optional status sink),
``contracted`` when done. A ledger rejection (bad terms, authorization) fails at once.

Run it on its own (settings from ``LSO_*`` and ``LSO_LEDGER_*`` variables; the ledger token from
``LSO_LEDGER_CLIENT_TOKEN``, else from the identity provider with the ``LSO_EFPF_*`` account)::

    python -m agents.contract_agent [--name contract]
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from uuid import UUID

import httpx

from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.entrypoint import agent_main, first_line
from agents.runtime.platform_agent import PlatformAgent
from core.settings import Settings
from federation.errors import AuthenticationFailed, FederationError
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.settings import FederationSettings
from ledger.commit import AgreementCommitter
from ledger.jsonapi_client import (
    JsonApiClient,
    LedgerAuthError,
    LedgerRejected,
    LedgerUnavailable,
    RetryPolicy,
    TokenProvider,
    static_token,
)
from ledger.settings import LedgerSettings
from ontology.codec import decode
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.order import OrderStatus
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState
from store.database import Database

log = logging.getLogger(__name__)


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

    async def status(self, order_id: UUID, status: OrderStatus, note: str) -> None: ...

    async def committed(self, result: ContractCommitted) -> None: ...


class StoreOrderTracker:
    """Records the order's status (``contracting``, then ``contracted`` or ``failed``) and its contract ids in
    the platform's database, each in its own transaction; a status the order already has is not repeated."""

    def __init__(self, db: Database, actor: str = "contract-agent") -> None:
        self.db = db
        self.actor = actor

    async def status(self, order_id: UUID, status: OrderStatus, note: str) -> None:
        async with self.db.transaction() as repos:
            current = await repos.orders.get(str(order_id))
            if current is None or current.status == status:
                return
            await repos.orders.change_status(str(order_id), status, actor=self.actor, note=note)

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
        self, committer: AgreementCommitter, retry: CommitRetry, tracker: OrderTracker | None = None
    ) -> None:
        self.committer = committer
        self.retry = retry
        self.tracker = tracker
        self._locks: dict[UUID, asyncio.Lock] = {}

    async def commit(self, request: CommitAgreement) -> ContractCommitted | Reason:
        """The contracts of ``request`` (committed now or before), or why they could not be."""
        order_id = request.order.id
        lock = self._locks.setdefault(order_id, asyncio.Lock())
        async with lock:
            await self._track(self._status(order_id, OrderStatus.CONTRACTING, "committing to the ledger"))
            loop = asyncio.get_running_loop()
            give_up = loop.time() + self.retry.deadline.total_seconds()
            attempt = 0
            while True:
                try:
                    result = await self.committer.commit(request)
                except LedgerRejected as exc:
                    log.warning("the ledger refused order %s: %s", order_id, exc)
                    await self._track(self._status(order_id, OrderStatus.FAILED, f"ledger refused: {exc}"))
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

    async def _status(self, order_id: UUID, status: OrderStatus, note: str) -> None:
        if self.tracker is not None:
            await self.tracker.status(order_id, status, note)

    async def _committed(self, result: ContractCommitted) -> None:
        if self.tracker is not None:
            await self.tracker.committed(result)
            await self.tracker.status(result.order_id, OrderStatus.CONTRACTED, "agreement on the ledger")

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
        ledger: JsonApiClient | None = None,
        ledger_settings: LedgerSettings | None = None,
        token: TokenProvider | None = None,
        retry: CommitRetry | None = None,
        tracker: OrderTracker | None = None,
        password: str | None = None,
    ) -> None:
        super().__init__(name, settings, password=password)
        ls = ledger_settings or LedgerSettings()
        self._identity: IdentityTokens | None = None
        if ledger is None:
            if token is None and ls.client_token is not None:
                token = static_token(ls.client_token.get_secret_value())
            elif token is None and ls.client_identity:
                token = self._identity = IdentityTokens()
            ledger = JsonApiClient(
                ls.json_api_url,
                token,
                timeout=ls.client_timeout,
                retry=RetryPolicy(
                    attempts=ls.client_retries, backoff=ls.client_backoff, backoff_max=ls.client_backoff_max
                ),
            )
        self.ledger = ledger
        self.retry = retry or CommitRetry(
            first_delay=ls.commit_retry_delay,
            max_delay=ls.commit_retry_max_delay,
            deadline=timedelta(seconds=ls.commit_deadline),
        )
        self.contracting = Contracting(AgreementCommitter(ledger), self.retry, tracker)

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open_request)

    async def stop(self) -> None:
        try:
            await super().stop()
        finally:
            await self.ledger.aclose()
            if self._identity is not None:
                await self._identity.aclose()

    def _open_request(self, message: AclMessage) -> None:
        machine = RequestParticipant.for_message(
            message,
            me=self.address,
            patience=self.retry.deadline + timedelta(seconds=30),
            content_types={Performative.REQUEST: (CommitAgreement,)},
        )
        self.open_conversation(machine, on_update=self._decide, opening=message)

    async def _decide(self, conversation: ConversationBehaviour[RequestParticipant]) -> None:
        machine = conversation.machine
        request = machine.request
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or request is None:
            return
        commit = decode(request.content, CommitAgreement)
        conversation.act(
            lambda m, now: m.agree(now=now, result_by=now + self.retry.deadline + timedelta(seconds=15))
        )
        outcome = await self.commit(commit)
        if not _still_agreed(conversation):
            return
        if isinstance(outcome, ContractCommitted):
            conversation.act(lambda m, now: m.inform(outcome, now=now))
        else:
            conversation.act(lambda m, now: m.failure(outcome, now=now))

    async def commit(self, request: CommitAgreement) -> ContractCommitted | Reason:
        """Commit ``request`` (retrying while the ledger is unreachable); the result or why it failed."""
        return await self.contracting.commit(request)


def _still_agreed(conversation: ConversationBehaviour[RequestParticipant]) -> bool:
    """After the commit: the conversation is still waiting for our result (not cancelled nor timed out)."""
    return not conversation.closed and conversation.machine.state is RequestParticipantState.AGREED


def main(argv: list[str] | None = None) -> None:
    agent_main(lambda name, settings: ContractAgent(name, settings), "contract", first_line(__doc__), argv)


if __name__ == "__main__":
    main()
