"""``MatchmakerAgent``: answers a FIPA ``request`` carrying :class:`FindSuppliers` with ``agree``,
then ``inform`` :class:`SupplierCandidates` (candidates per part) or ``failure`` with a
:class:`~ontology.common.Reason`.

It serves only the platform's own accounts: JIDs the store binds as a manufacturer's agent or a platform
service (a manufacturer's suppliers are its business); anyone else is refused ``not-authorised``.

It finds suppliers through EFPF in the paper's three steps (token, service registry, federated
search; :class:`federation.matchmaking.EfpfMatchmaker`, one per agent, so the token and the search
service's URL are reused across requests). Failure reasons:

======================== ====================================================================
``efpf-unreachable``      EFPF did not answer (connection refused, timeout, 5xx after retries)
``efpf-bad-credentials``  the identity provider refused the platform's account
``efpf-no-search-service`` the service registry lists no federated search service
``efpf-malformed-response`` EFPF answered something that is not what its API promises
``efpf-...``              other :class:`federation.errors.FederationError` reasons
``no-supplier``           no candidate for some part (the detail names them); unless the agent
                          was made with ``allow_partial=True``, which informs with empty lists
``internal-error``        anything else (logged)
======================== ====================================================================

Run it on its own (settings from ``LSO_*`` and ``LSO_EFPF_*`` variables)::

    python -m agents.matchmaker [--name matchmaker]

It prints ``READY <jid>`` on stdout once connected and stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour
from agents.runtime.entrypoint import agent_main, first_line
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings
from federation.errors import FederationError
from federation.matchmaking import EfpfMatchmaker
from federation.settings import FederationSettings, get_federation_settings
from ontology.codec import decode
from ontology.common import Reason
from ontology.matchmaking import FindSuppliers, SupplierCandidates
from protocols.acl import AclMessage
from protocols.conversation import ConversationStateError
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState
from store.enums import AgentRole

log = logging.getLogger(__name__)

#: How long an initiator may take to send its request once the conversation is open.
PATIENCE = timedelta(seconds=30)
#: How long a search may take after the ``agree`` (the machine sends ``failure`` itself after it).
RESULT_PATIENCE = timedelta(seconds=60)
NO_SUPPLIER = "no-supplier"
INTERNAL_ERROR = "internal-error"

Conversation = ConversationBehaviour[RequestParticipant]


class MatchmakerAgent(PlatformAgent):
    """Serves ``fipa-request`` conversations whose request content is a :class:`FindSuppliers`."""

    def __init__(
        self,
        name: str = "matchmaker",
        settings: Settings | None = None,
        *,
        federation: FederationSettings | None = None,
        allow_partial: bool = False,
        result_patience: timedelta = RESULT_PATIENCE,
        password: str | None = None,
    ) -> None:
        super().__init__(name, settings, password=password)
        self.federation_settings = federation or get_federation_settings()
        self.allow_partial = allow_partial
        self.result_patience = result_patience
        self._efpf: EfpfMatchmaker | None = None
        self._searches: dict[str, asyncio.Task[None]] = {}

    async def setup(self) -> None:
        self._efpf = EfpfMatchmaker(self.federation_settings)
        self.serve(ProtocolName.REQUEST, self._open_request, admit=self._admit)

    async def _admit(self, message: AclMessage) -> Reason | None:
        if await self.directory.is_bound(message.sender, (AgentRole.MANUFACTURER, AgentRole.PLATFORM)):
            return None
        why = "the matchmaker serves the platform's manufacturer agents"
        return Reason(reason=NOT_AUTHORISED, detail=why)

    async def stop(self) -> None:
        for task in list(self._searches.values()):
            task.cancel()
        if self._searches:
            await asyncio.gather(*self._searches.values(), return_exceptions=True)
        if self._efpf is not None:
            await self._efpf.aclose()
            self._efpf = None
        await super().stop()

    @property
    def efpf(self) -> EfpfMatchmaker:
        if self._efpf is None:
            raise RuntimeError(f"{self.address} is not started")
        return self._efpf

    def _open_request(self, message: AclMessage) -> None:
        machine = RequestParticipant.for_message(
            message,
            me=self.address,
            patience=PATIENCE,
            content_types={Performative.REQUEST: (FindSuppliers,)},
        )
        self.open_conversation(machine, on_update=self._decide, opening=message)

    def _decide(self, conversation: Conversation) -> None:
        machine = conversation.machine
        if machine.finished:
            task = self._searches.pop(machine.conversation_id, None)
            if task is not None and not task.done():
                task.cancel()  # cancelled by the initiator, or the result deadline passed
            return
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or machine.request is None:
            return
        wanted = decode(machine.request.content, FindSuppliers)
        conversation.act(lambda m, now: m.agree(now=now, result_by=now + self.result_patience))
        self._searches[machine.conversation_id] = asyncio.create_task(
            self._search(conversation, wanted), name=f"matchmaking {machine.conversation_id}"
        )

    async def _search(self, conversation: Conversation, wanted: FindSuppliers) -> None:
        cid = conversation.conversation_id
        try:
            answer: SupplierCandidates | Reason = await self.answer(wanted)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: matchmaking for order %s failed", self.address, wanted.order_id)
            answer = Reason(reason=INTERNAL_ERROR, detail="the matchmaker failed unexpectedly; see its log")
        finally:
            self._searches.pop(cid, None)
        try:
            if isinstance(answer, Reason):
                reason = answer
                conversation.act(lambda m, now: m.failure(reason, now=now))
            else:
                result = answer
                conversation.act(lambda m, now: m.inform(result, now=now))
        except (ConversationAborted, ConversationStateError) as exc:
            log.info("%s: conversation %s ended before its answer: %s", self.address, cid, exc)

    async def answer(self, wanted: FindSuppliers) -> SupplierCandidates | Reason:
        """The inform content for ``wanted``, or the failure reason."""
        try:
            candidates = await self.efpf.find_suppliers(wanted)
        except FederationError as exc:
            log.warning("%s: EFPF matchmaking for order %s failed: %s", self.address, wanted.order_id, exc)
            return Reason(reason=exc.reason, detail=str(exc)[:10_000])
        uncovered = candidates.uncovered(part.part_id for part in wanted.parts)
        if uncovered and not self.allow_partial:
            names = ", ".join(repr(part_id) for part_id in uncovered)
            return Reason(reason=NO_SUPPLIER, detail=f"no supplier found through EFPF for part(s) {names}")
        return candidates


def main(argv: list[str] | None = None) -> None:
    agent_main(
        lambda name, settings: MatchmakerAgent(name, settings), "matchmaker", first_line(__doc__), argv
    )


if __name__ == "__main__":
    main()
