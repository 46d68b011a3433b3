"""FIPA Contract Net (SC00029H) and Iterated Contract Net (SC00030H), participant role, sans-IO.

See :mod:`protocols.conversation` for how a machine is driven and what it enforces, and
:mod:`protocols.participant` for ``cancel`` handling.

::

    awaiting-cfp --cfp--> cfp-received --propose()--> proposed --accept-proposal--> awarded
                            | refuse() -> refused       | reject-proposal -> rejected
                            | reply-by passes           | our proposal's reply-by passes -> timed-out
                            |   -> timed-out            | cfp (iterated only) -> cfp-received (next round)
    awarded --inform_done() / inform_result()--> done
            --failure()--> failed
            --accept-proposal's reply-by passes--> failed (``failure`` sent)
    cancel from the initiator before the end -> cancelled (inform Done("cancel") sent)

The ``propose`` carries a ``reply-by`` (``valid_until``, default ``patience`` from now): the
initiator should answer by then, and after it the proposal lapses (timed-out). An
``accept-proposal`` that reaches a finished participant (proposal lapsed, cancelled...) is
answered with ``failure``, so the initiator never counts on a lapsed proposal.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal

from ontology.codec import Content
from ontology.common import Done, Reason
from protocols.acl import AclMessage
from protocols.conversation import Handler, SentRecord, Unexpected, as_reason, as_utc, clip
from protocols.participant import ParticipantConversation, ParticipantSnapshot
from protocols.performative import Performative, ProtocolName

DONE_ACTION = "contract"


class ContractNetParticipantState(StrEnum):
    AWAITING_CFP = "awaiting-cfp"
    CFP_RECEIVED = "cfp-received"
    PROPOSED = "proposed"
    AWARDED = "awarded"
    DONE = "done"
    REFUSED = "refused"
    REJECTED = "rejected"
    NOT_UNDERSTOOD = "not-understood"
    FAILED = "failed"
    TIMED_OUT = "timed-out"
    CANCELLED = "cancelled"


_S = ContractNetParticipantState


class ContractNetParticipantSnapshot(ParticipantSnapshot):
    kind: Literal["contract-net-participant"] = "contract-net-participant"
    state: ContractNetParticipantState = _S.AWAITING_CFP
    round: int = 0
    cfp: AclMessage | None = None
    """The cfp of the current round."""
    proposal: AclMessage | None = None
    """Our ``propose`` of the current round."""
    acceptance: AclMessage | None = None
    rejection: AclMessage | None = None


class ContractNetParticipant(ParticipantConversation[ContractNetParticipantSnapshot]):
    """Answers one initiator's call for proposals and, if awarded, reports the result."""

    snapshot_model = ContractNetParticipantSnapshot
    protocol_name = ProtocolName.CONTRACT_NET
    terminal_states = frozenset(
        {_S.DONE, _S.REFUSED, _S.REJECTED, _S.NOT_UNDERSTOOD, _S.FAILED, _S.TIMED_OUT, _S.CANCELLED}
    )
    failed_state = _S.FAILED
    initial_state = _S.AWAITING_CFP
    cancelled_state = _S.CANCELLED
    accepts_revisions: ClassVar[bool] = False

    @property
    def state(self) -> ContractNetParticipantState:
        return self._data.state

    @property
    def round(self) -> int:
        """How many cfps were received (1 for plain Contract Net)."""
        return self._data.round

    @property
    def cfp(self) -> AclMessage | None:
        return self._data.cfp

    @property
    def proposal(self) -> AclMessage | None:
        return self._data.proposal

    @property
    def acceptance(self) -> AclMessage | None:
        return self._data.acceptance

    @property
    def rejection(self) -> AclMessage | None:
        return self._data.rejection

    # ----------------------------------------------------------------- application steps

    def propose(
        self, offer: Content, *, now: datetime, valid_until: datetime | None = None
    ) -> list[AclMessage]:
        """Bid; the proposal binds until ``valid_until`` (default ``patience`` from now)."""
        self._require(_S.CFP_RECEIVED)
        now = as_utc(now)
        expires = now + self._data.patience if valid_until is None else as_utc(valid_until)
        message = self._reply(self._cfp(), Performative.PROPOSE, offer, now, reply_by=expires)
        self._data.proposal = message
        self._move(_S.PROPOSED, now, deadline=expires)
        return [message]

    def refuse(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(_S.CFP_RECEIVED)
        return self._end(self._cfp(), Performative.REFUSE, as_reason(reason), _S.REFUSED, as_utc(now))

    def inform_done(self, *, now: datetime, action: str = DONE_ACTION) -> list[AclMessage]:
        self._require(_S.AWARDED)
        return self._end(self._accepted(), Performative.INFORM, Done(action=action), _S.DONE, as_utc(now))

    def inform_result(self, result: Content, *, now: datetime) -> list[AclMessage]:
        self._require(_S.AWARDED)
        return self._end(self._accepted(), Performative.INFORM, result, _S.DONE, as_utc(now))

    def failure(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(_S.AWARDED)
        return self._end(self._accepted(), Performative.FAILURE, as_reason(reason), _S.FAILED, as_utc(now))

    # ----------------------------------------------------------------- internals

    def _cfp(self) -> AclMessage:
        assert self._data.cfp is not None
        return self._data.cfp

    def _accepted(self) -> AclMessage:
        assert self._data.acceptance is not None
        return self._data.acceptance

    def _end(
        self, to: AclMessage, performative: Performative, content: Content, state: _S, now: datetime
    ) -> list[AclMessage]:
        message = self._reply(to, performative, content, now)
        self._finish(state, f"{performative} sent", now)
        return [message]

    def _route_step(self, message: AclMessage, now: datetime) -> Handler | Unexpected:
        performative = message.performative
        if self.state is _S.AWAITING_CFP and performative is Performative.CFP:
            return self._on_cfp
        if self.state is _S.PROPOSED:
            ours = self._data.proposal.reply_with if self._data.proposal else None
            if performative in (Performative.ACCEPT_PROPOSAL, Performative.REJECT_PROPOSAL):
                return self._check_reply(message, ours) or self._on_verdict
            if performative is Performative.CFP and self.accepts_revisions:
                if message.in_reply_to is None:
                    return self._on_cfp
                return self._check_reply(message, ours) or self._on_cfp
        return self._out_of_sequence(message, self.state)

    def _on_cfp(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        self._data.round += 1
        self._data.cfp = message
        self._data.proposal = None
        self._move(_S.CFP_RECEIVED, now, deadline=message.reply_by or now + self._data.patience)
        return []

    def _on_verdict(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.ACCEPT_PROPOSAL:
            self._data.acceptance = message
            self._move(_S.AWARDED, now, deadline=message.reply_by or now + self._data.patience)
            return []
        self._data.rejection = message
        why = clip(content.reason) if isinstance(content, Reason) else "no reason given"
        self._finish(_S.REJECTED, f"proposal rejected: {why}", now)
        return []

    def _after_finish(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.ACCEPT_PROPOSAL:
            return self._answer_finished(message, now)
        return super()._after_finish(message, now)

    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        self._finish(_S.NOT_UNDERSTOOD, f"{about.performative} not understood: {reason}", now)
        return []

    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        match self.state:
            case _S.AWARDED:
                reason = Reason(reason="no result before the deadline")
                message = self._reply(self._accepted(), Performative.FAILURE, reason, now)
                self._finish(_S.FAILED, reason.reason, now)
                return [message]
            case _S.AWAITING_CFP:
                self._finish(_S.TIMED_OUT, "no cfp received", now)
            case _S.CFP_RECEIVED:
                self._finish(_S.TIMED_OUT, "no decision before the cfp's reply-by", now)
            case _:
                self._finish(_S.TIMED_OUT, "no answer to our proposal before it lapsed", now)
        return []
