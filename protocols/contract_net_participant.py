"""FIPA Contract Net (SC00029H) and Iterated Contract Net (SC00030H), participant role, sans-IO.

See :mod:`protocols.conversation` for how a machine is driven and what it enforces, and
:mod:`protocols.participant` for ``cancel`` handling. The transitions are tables
(:func:`bidding_table`), drawn in ``docs/protocols.md``.

After a call (``cfp``) the participant proposes or refuses before the call's reply-by, or the
conversation times out. The ``propose`` carries a ``reply-by`` (``valid_until``, default
``patience`` from now): the initiator should answer by then, and after it the proposal lapses
(timed-out). ``accept-proposal`` awards the task: the participant reports the result
(``inform``) or ``failure`` before the acceptance's reply-by (default ``patience``), or sends
``failure`` itself when it passes. An ``accept-proposal`` that reaches a finished participant
(proposal lapsed, cancelled...) is answered with ``failure``, so the initiator never counts on a
lapsed proposal. In Iterated Contract Net a revised ``cfp`` may follow the proposal and starts
the next round.

:class:`BiddingParticipant` holds the steps; each protocol names its own states
(:class:`BiddingStates`): Contract Net's are :class:`ContractNetParticipantState`, the order
protocol's are in :mod:`protocols.order_request`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal, TypeVar

from ontology.codec import Content
from ontology.common import Done, Reason
from protocols.acl import AclMessage
from protocols.conversation import SentRecord, Unexpected, as_reason, as_utc, clip
from protocols.participant import ParticipantConversation, ParticipantSnapshot, with_cancel
from protocols.performative import Performative, ProtocolName
from protocols.transitions import Receive, Row, TransitionTable

DONE_ACTION = "contract"
_ENDS = ("done", "refused", "rejected", "not_understood", "failed", "timed_out", "cancelled")


@dataclass(frozen=True)
class BiddingStates:
    """A bidding participant's states, by the part each plays."""

    awaiting_call: StrEnum
    called: StrEnum
    """A call (the opening one, or a revised ``cfp``) awaits our proposal or refusal."""
    proposed: StrEnum
    awarded: StrEnum
    done: StrEnum
    refused: StrEnum
    rejected: StrEnum
    not_understood: StrEnum
    failed: StrEnum
    timed_out: StrEnum
    cancelled: StrEnum

    @classmethod
    def ending_alike(
        cls, awaiting_call: StrEnum, called: StrEnum, proposed: StrEnum, awarded: StrEnum
    ) -> BiddingStates:
        """These four, and the final states: the members of their enum named DONE, REFUSED, REJECTED,
        NOT_UNDERSTOOD, FAILED, TIMED_OUT and CANCELLED."""
        members = type(awaiting_call)
        return cls(awaiting_call, called, proposed, awarded, *(members[end.upper()] for end in _ENDS))

    @property
    def final(self) -> frozenset[str]:
        return frozenset(getattr(self, end) for end in _ENDS)


def bidding_table(states: BiddingStates, opening: Performative, *, revisions: bool) -> TransitionTable:
    """The transitions of a participant called by ``opening``; ``revisions``: a revised ``cfp`` may
    follow our proposal (Iterated Contract Net)."""
    s = states
    table = TransitionTable(
        initial=s.awaiting_call,
        final=s.final,
        failed=s.failed,
        rows={
            s.awaiting_call: Row(
                receive={opening: Receive("_on_call", (s.called,))},
                deadline=(s.timed_out,),
            ),
            s.called: Row(
                steps={"propose": (s.proposed,), "refuse": (s.refused,)},
                deadline=(s.timed_out,),
                not_understood=(s.not_understood,) if revisions else (),
            ),
            s.proposed: Row(
                receive={
                    Performative.ACCEPT_PROPOSAL: Receive("_on_verdict", (s.awarded,), "_check_verdict"),
                    Performative.REJECT_PROPOSAL: Receive("_on_verdict", (s.rejected,), "_check_verdict"),
                },
                deadline=(s.timed_out,),
                not_understood=(s.not_understood,),
            ),
            s.awarded: Row(
                steps={"inform_done": (s.done,), "inform_result": (s.done,), "failure": (s.failed,)},
                deadline=(s.failed,),
                not_understood=(s.not_understood,),
            ),
        },
    )
    if revisions:
        table = table.receiving(
            s.proposed, Performative.CFP, Receive("_on_call", (s.called,), "_check_revision")
        )
    return with_cancel(table, s.cancelled)


class BiddingSnapshot(ParticipantSnapshot):
    kind: str
    round: int = 0
    cfp: AclMessage | None = None
    """The call of the current round."""
    proposal: AclMessage | None = None
    """Our ``propose`` of the current round."""
    acceptance: AclMessage | None = None
    rejection: AclMessage | None = None


B = TypeVar("B", bound=BiddingSnapshot)


class BiddingParticipant(ParticipantConversation[B]):
    """Answers one initiator's calls for proposals and, if awarded, reports the result."""

    states: ClassVar[BiddingStates]

    @property
    def round(self) -> int:
        """How many calls were received (1 for plain Contract Net)."""
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
        self._require(self.states.called)
        now = as_utc(now)
        expires = now + self._data.patience if valid_until is None else as_utc(valid_until)
        message = self._reply(self._cfp(), Performative.PROPOSE, offer, now, reply_by=expires)
        self._data.proposal = message
        self._move(self.states.proposed, now, deadline=expires)
        return [message]

    def refuse(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(self.states.called)
        return self._end(
            self._cfp(), Performative.REFUSE, as_reason(reason), self.states.refused, as_utc(now)
        )

    def inform_done(self, *, now: datetime, action: str = DONE_ACTION) -> list[AclMessage]:
        self._require(self.states.awarded)
        return self._end(
            self._accepted(), Performative.INFORM, Done(action=action), self.states.done, as_utc(now)
        )

    def inform_result(self, result: Content, *, now: datetime) -> list[AclMessage]:
        self._require(self.states.awarded)
        return self._end(self._accepted(), Performative.INFORM, result, self.states.done, as_utc(now))

    def failure(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(self.states.awarded)
        return self._end(
            self._accepted(), Performative.FAILURE, as_reason(reason), self.states.failed, as_utc(now)
        )

    # ----------------------------------------------------------------- internals

    def _cfp(self) -> AclMessage:
        assert self._data.cfp is not None
        return self._data.cfp

    def _accepted(self) -> AclMessage:
        assert self._data.acceptance is not None
        return self._data.acceptance

    def _end(
        self, to: AclMessage, performative: Performative, content: Content, state: str, now: datetime
    ) -> list[AclMessage]:
        message = self._reply(to, performative, content, now)
        self._finish(state, f"{performative} sent", now)
        return [message]

    def _our_proposal(self) -> str | None:
        return self._data.proposal.reply_with if self._data.proposal else None

    def _check_verdict(self, message: AclMessage) -> Unexpected | None:
        return self._check_reply(message, self._our_proposal())

    def _check_revision(self, message: AclMessage) -> Unexpected | None:
        """A revised call answers our proposal, or names nothing."""
        if message.in_reply_to is None:
            return None
        return self._check_reply(message, self._our_proposal())

    def _on_call(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        self._data.round += 1
        self._data.cfp = message
        self._data.proposal = None
        self._move(self.states.called, now, deadline=message.reply_by or now + self._data.patience)
        return []

    def _on_verdict(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.ACCEPT_PROPOSAL:
            self._data.acceptance = message
            self._move(self.states.awarded, now, deadline=message.reply_by or now + self._data.patience)
            return []
        self._data.rejection = message
        why = clip(content.reason) if isinstance(content, Reason) else "no reason given"
        self._finish(self.states.rejected, f"proposal rejected: {why}", now)
        return []

    def _after_finish(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.ACCEPT_PROPOSAL:
            return self._answer_finished(message, now)
        return super()._after_finish(message, now)

    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        self._finish(self.states.not_understood, f"{about.performative} not understood: {reason}", now)
        return []

    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        s = self.states
        state = self._data.state
        if state == s.awarded:
            reason = Reason(reason="no result before the deadline")
            message = self._reply(self._accepted(), Performative.FAILURE, reason, now)
            self._finish(s.failed, reason.reason, now)
            return [message]
        if state == s.awaiting_call:
            self._finish(s.timed_out, "no cfp received", now)
        elif state == s.called:
            self._finish(s.timed_out, "no decision before the cfp's reply-by", now)
        else:
            self._finish(s.timed_out, "no answer to our proposal before it lapsed", now)
        return []


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
CONTRACT_NET_STATES = BiddingStates.ending_alike(_S.AWAITING_CFP, _S.CFP_RECEIVED, _S.PROPOSED, _S.AWARDED)


class ContractNetParticipantSnapshot(BiddingSnapshot):
    kind: Literal["contract-net-participant"] = "contract-net-participant"
    state: ContractNetParticipantState = _S.AWAITING_CFP


class ContractNetParticipant(BiddingParticipant[ContractNetParticipantSnapshot]):
    """Answers one initiator's call for proposals and, if awarded, reports the result."""

    snapshot_model = ContractNetParticipantSnapshot
    protocol_name = ProtocolName.CONTRACT_NET
    states = CONTRACT_NET_STATES
    transitions = bidding_table(CONTRACT_NET_STATES, Performative.CFP, revisions=False)

    @property
    def state(self) -> ContractNetParticipantState:
        return self._data.state
