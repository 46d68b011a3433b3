"""FIPA Contract Net Interaction Protocol (SC00029H), initiator role, sans-IO.

See :mod:`protocols.conversation` for how a machine is driven and what it enforces, and
:mod:`protocols.contract_net_participant` for the participant role (re-exported here).

The initiator's transitions are a table (:data:`CONTRACT_NET_INITIATOR`), drawn in
``docs/protocols.md``. It calls for proposals (:meth:`~ContractNetInitiator.start`), collects
them, lets the application award them, then collects the winners' results; it may
:meth:`~ContractNetInitiator.cancel` before the end (``cancel`` goes to every participant still
engaged).

* One ``cfp`` per participant (its own reply-with), all with the same ``reply-by``.
* While collecting, each participant may answer once: ``propose``, ``refuse`` (or ``failure``,
  or ``not-understood``, both taken as declining). When all have answered, or the deadline passes,
  the round closes; those that never answered are recorded as silent (:attr:`silent`).
* A ``propose`` that arrives after its round closed (even once the conversation finished) is late:
  it is answered with ``reject-proposal`` whose :class:`~ontology.common.Reason` says so
  (:data:`LATE_REASON`), and recorded in the round's ``late`` list. Late refusals are ignored.
* In evaluating, the application reads :attr:`proposals` (sender -> ``propose`` message) and calls
  :meth:`award`: ``accept-proposal`` to the winners (content: the accepted proposal, unless given),
  ``reject-proposal`` to every other proposer. The application has ``patience`` to decide (counted
  from when the round closed); after that every proposal is rejected and the conversation ends
  as timed-out.
* Winners answer ``inform`` (done or result) or ``failure`` by ``result_by`` (sent as the
  ``reply-by`` of the ``accept-proposal``); :attr:`results`, :attr:`failures` and
  :attr:`silent_winners` hold the per-winner results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ontology.codec import Content
from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net_participant import (
    ContractNetParticipant,
    ContractNetParticipantSnapshot,
    ContractNetParticipantState,
)
from protocols.conversation import (
    DEFAULT_PATIENCE,
    ContentDecoder,
    ContentTypes,
    Conversation,
    ConversationSnapshot,
    SentRecord,
    Unexpected,
    as_reason,
    as_utc,
)
from protocols.events import Anomaly, EventKind
from protocols.performative import Performative, ProtocolName
from protocols.transitions import Receive, Row, TransitionTable

__all__ = [
    "LATE_REASON",
    "ContractNetInitiator",
    "ContractNetInitiatorSnapshot",
    "ContractNetInitiatorState",
    "ContractNetParticipant",
    "ContractNetParticipantSnapshot",
    "ContractNetParticipantState",
    "ContractNetRound",
]

LATE_REASON = "late: the proposal arrived after the reply-by deadline of the call for proposals"
NO_DECISION_REASON = "no decision was taken before the evaluation deadline"
NOT_ACCEPTED_REASON = "proposal not accepted"


class ContractNetInitiatorState(StrEnum):
    IDLE = "idle"
    COLLECTING = "collecting"
    EVALUATING = "evaluating"
    AWAITING_RESULTS = "awaiting-results"
    COMPLETED = "completed"
    FAILED = "failed"
    NO_PROPOSALS = "no-proposals"
    NO_AWARD = "no-award"
    TIMED_OUT = "timed-out"
    CANCELLED = "cancelled"


_S = ContractNetInitiatorState


def _answer(*to: str) -> Receive:
    """A ``propose`` or ``refuse``: an answer to the current round, or a late one (``reject-proposal``)."""
    return Receive("_on_answer", to, "_check_answer")


def _failure(*to: str) -> Receive:
    """A ``failure``: declining a call when it answers one, else a winner's result."""
    return Receive("_on_failure", to, "_check_failure")


CONTRACT_NET_INITIATOR = TransitionTable(
    initial=_S.IDLE,
    final=frozenset({_S.COMPLETED, _S.FAILED, _S.NO_PROPOSALS, _S.NO_AWARD, _S.TIMED_OUT, _S.CANCELLED}),
    failed=_S.FAILED,
    rows={
        _S.IDLE: Row(steps={"start": (_S.COLLECTING,)}),
        _S.COLLECTING: Row(
            receive={
                Performative.PROPOSE: _answer(_S.COLLECTING, _S.EVALUATING),
                Performative.REFUSE: _answer(_S.COLLECTING, _S.EVALUATING, _S.NO_PROPOSALS),
                Performative.FAILURE: _failure(_S.COLLECTING, _S.EVALUATING, _S.NO_PROPOSALS),
            },
            steps={"cancel": (_S.CANCELLED,)},
            deadline=(_S.EVALUATING, _S.NO_PROPOSALS),
            not_understood=(_S.COLLECTING, _S.EVALUATING, _S.NO_PROPOSALS),
        ),
        _S.EVALUATING: Row(
            receive={
                Performative.PROPOSE: _answer(_S.EVALUATING),
                Performative.REFUSE: _answer(_S.EVALUATING),
                Performative.FAILURE: _failure(_S.EVALUATING),
            },
            steps={"award": (_S.AWAITING_RESULTS, _S.NO_AWARD), "cancel": (_S.CANCELLED,)},
            deadline=(_S.TIMED_OUT,),
            not_understood=(_S.EVALUATING,),
        ),
        _S.AWAITING_RESULTS: Row(
            receive={
                Performative.PROPOSE: _answer(_S.AWAITING_RESULTS),
                Performative.REFUSE: _answer(_S.AWAITING_RESULTS),
                Performative.INFORM: Receive(
                    "_on_result", (_S.AWAITING_RESULTS, _S.COMPLETED, _S.FAILED), "_check_result"
                ),
                Performative.FAILURE: _failure(_S.AWAITING_RESULTS, _S.COMPLETED, _S.FAILED),
            },
            steps={"cancel": (_S.CANCELLED,)},
            deadline=(_S.FAILED,),
            not_understood=(_S.AWAITING_RESULTS, _S.COMPLETED, _S.FAILED),
        ),
    },
)
"""The initiator's transitions. A proposal that comes after its round closed is late (answered
``reject-proposal``) in every state; the evaluating deadline is ``patience`` after the round closed."""


class ContractNetRound(BaseModel):
    """One call for proposals and what came of it."""

    model_config = ConfigDict(extra="forbid")

    number: int
    content: str
    reply_by: datetime
    cfps: dict[str, str]
    """Participant -> reply-with of the cfp it was sent."""
    proposals: dict[str, AclMessage] = {}
    declined: dict[str, AclMessage] = {}
    """refuse, failure or not-understood, by participant."""
    late: list[str] = []
    silent: list[str] = []
    closed: bool = False

    def answered(self, peer: str) -> bool:
        return peer in self.proposals or peer in self.declined

    def unanswered(self) -> list[str]:
        return [peer for peer in self.cfps if not self.answered(peer)]

    def all_answered(self) -> bool:
        # The counts rule out most calls without a scan, so a round of n answers costs O(n), not O(n²).
        return len(self.proposals) + len(self.declined) >= len(self.cfps) and not self.unanswered()


class ContractNetInitiatorSnapshot(ConversationSnapshot):
    kind: Literal["contract-net-initiator"] = "contract-net-initiator"
    state: ContractNetInitiatorState = _S.IDLE
    max_rounds: int = 1
    participants: list[str] = []
    rounds: list[ContractNetRound] = []
    accepted: dict[str, str] = {}
    """Winner -> reply-with of our accept-proposal."""
    result_by: datetime | None = None
    results: dict[str, AclMessage] = {}
    failures: dict[str, AclMessage] = {}
    silent_winners: list[str] = []
    agreements: dict[str, str] = {}
    """Participant -> reply-with of its ``agree`` to our opening ``request`` (protocols opened by one)."""


def _reply_with(message: AclMessage) -> str:
    assert message.reply_with is not None
    return message.reply_with


class ContractNetInitiator(Conversation[ContractNetInitiatorSnapshot]):
    """Calls for proposals from several participants and awards the task to some of them."""

    snapshot_model = ContractNetInitiatorSnapshot
    protocol_name = ProtocolName.CONTRACT_NET
    transitions = CONTRACT_NET_INITIATOR
    opening_performative: ClassVar[Performative] = Performative.CFP
    """What the first round's call is sent as (later rounds: ``cfp``)."""

    def __init__(
        self,
        *,
        me: str,
        conversation_id: str | None = None,
        patience: timedelta = DEFAULT_PATIENCE,
        content_types: ContentTypes | None = None,
        content_decoder: ContentDecoder | None = None,
    ) -> None:
        data: ContractNetInitiatorSnapshot = self._initial_data(
            me=me,
            conversation_id=conversation_id,
            patience=patience,
            content_types=content_types,
        )
        super().__init__(data, content_decoder)

    # ----------------------------------------------------------------- read-only view

    @property
    def state(self) -> ContractNetInitiatorState:
        return self._data.state

    @property
    def peers(self) -> frozenset[str]:
        return frozenset(self._data.participants)

    @property
    def participants(self) -> tuple[str, ...]:
        return tuple(self._data.participants)

    @property
    def round(self) -> int:
        """Number of the current round (1 for plain Contract Net), 0 before start."""
        return len(self._data.rounds)

    @property
    def rounds(self) -> tuple[ContractNetRound, ...]:
        """Every round so far (deep copies)."""
        return tuple(r.model_copy(deep=True) for r in self._data.rounds)

    @property
    def proposals(self) -> dict[str, AclMessage]:
        """The current round's proposals: participant -> ``propose`` message."""
        return dict(self._current.proposals) if self._data.rounds else {}

    @property
    def refusals(self) -> dict[str, AclMessage]:
        """The current round's refusals (refuse, failure or not-understood)."""
        return dict(self._current.declined) if self._data.rounds else {}

    @property
    def silent(self) -> tuple[str, ...]:
        """Participants that did not answer the current round's cfp before it closed."""
        return tuple(self._current.silent) if self._data.rounds else ()

    @property
    def winners(self) -> tuple[str, ...]:
        return tuple(self._data.accepted)

    @property
    def results(self) -> dict[str, AclMessage]:
        """Winner -> its ``inform`` (done or result)."""
        return dict(self._data.results)

    @property
    def failures(self) -> dict[str, AclMessage]:
        """Winner -> its ``failure`` (or ``not-understood`` of our accept-proposal)."""
        return dict(self._data.failures)

    @property
    def silent_winners(self) -> tuple[str, ...]:
        return tuple(self._data.silent_winners)

    @property
    def _current(self) -> ContractNetRound:
        return self._data.rounds[-1]

    # ----------------------------------------------------------------- application steps

    def start(
        self, content: Content, participants: Iterable[str], *, now: datetime, reply_by: datetime
    ) -> list[AclMessage]:
        """Send the call for proposals; answers are due by ``reply_by``."""
        self._require(_S.IDLE)
        peers = list(dict.fromkeys(participants))
        if not peers:
            raise ValueError("a call for proposals needs at least one participant")
        if self.me in peers:
            raise ValueError("an agent cannot call for its own proposals")
        now = as_utc(now)
        self._open(now)
        self._data.participants = peers
        return self._open_round(content, peers, now, as_utc(reply_by), {})

    def award(
        self,
        accepted: Iterable[str],
        *,
        now: datetime,
        reject_reason: Reason | str = NOT_ACCEPTED_REASON,
        result_by: datetime | None = None,
        accept_content: Mapping[str, Content] | None = None,
    ) -> list[AclMessage]:
        """Accept the proposals of ``accepted``, reject every other one of the current round.

        Winners must answer by ``result_by`` (default: ``patience`` from now). The content of an
        ``accept-proposal`` is the accepted proposal unless ``accept_content`` gives one.
        """
        self._require(_S.EVALUATING)
        now = as_utc(now)
        proposals = self._current.proposals
        winners = list(dict.fromkeys(accepted))
        unknown = [w for w in winners if w not in proposals]
        if unknown:
            raise ValueError(f"no proposal in this round from: {', '.join(unknown)}")
        deadline = now + self._data.patience if result_by is None else as_utc(result_by)
        contents = accept_content or {}
        out = self._reject([p for p in proposals if p not in winners], as_reason(reject_reason), now)
        for peer in winners:
            content: Content | str = contents.get(peer, proposals[peer].content)
            message = self._reply(
                proposals[peer], Performative.ACCEPT_PROPOSAL, content, now, reply_by=deadline
            )
            self._data.accepted[peer] = _reply_with(message)
            out.append(message)
        if winners:
            self._data.result_by = deadline
            self._move(_S.AWAITING_RESULTS, now, deadline=deadline)
        else:
            self._finish(_S.NO_AWARD, f"every proposal rejected: {as_reason(reject_reason).reason}", now)
        return out

    def cancel(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        """Call the whole thing off: ``cancel`` to every participant still engaged."""
        self._require(_S.COLLECTING, _S.EVALUATING, _S.AWAITING_RESULTS)
        now = as_utc(now)
        why = as_reason(reason)
        current = self._current
        if self.state is _S.COLLECTING:
            engaged = [p for p in current.cfps if p not in current.declined]
        elif self.state is _S.EVALUATING:
            engaged = list(current.proposals)
        else:
            done = self._data.results.keys() | self._data.failures.keys()
            engaged = [p for p in self._data.accepted if p not in done]
        out = []
        for peer in engaged:
            proposal = current.proposals.get(peer)
            irt = proposal.reply_with if proposal else None
            out.append(self._send(Performative.CANCEL, peer, why, now, in_reply_to=irt))
        self._finish(_S.CANCELLED, f"cancelled: {why.reason}", now)
        return out

    # ----------------------------------------------------------------- rounds

    def _open_round(
        self,
        content: Content | str,
        peers: list[str],
        now: datetime,
        reply_by: datetime,
        replying_to: Mapping[str, AclMessage],
    ) -> list[AclMessage]:
        out: list[AclMessage] = []
        call = Performative.CFP if self._data.rounds else self.opening_performative
        for peer in peers:
            previous = replying_to.get(peer)
            irt = previous.reply_with if previous else None
            out.append(self._send(call, peer, content, now, in_reply_to=irt, reply_by=reply_by))
        self._data.rounds.append(
            ContractNetRound(
                number=len(self._data.rounds) + 1,
                content=out[0].content,
                reply_by=reply_by,
                cfps={m.receivers[0]: _reply_with(m) for m in out},
            )
        )
        self._move(_S.COLLECTING, now, deadline=reply_by)
        return out

    def _close_round(self, due: datetime, now: datetime) -> None:
        current = self._current
        current.closed = True
        current.silent = current.unanswered()
        if current.proposals:
            self._move(_S.EVALUATING, now, deadline=due + self._data.patience)
            return
        self._finish(
            _S.NO_PROPOSALS,
            f"no proposal in round {current.number}: {len(current.declined)} declined, "
            f"{len(current.silent)} silent",
            now,
        )

    def _reject(self, peers: list[str], reason: Reason, now: datetime) -> list[AclMessage]:
        proposals = self._current.proposals
        return [self._reply(proposals[p], Performative.REJECT_PROPOSAL, reason, now) for p in peers]

    def _round_of(self, peer: str, cfp_id: str | None) -> ContractNetRound | None:
        return next((r for r in self._data.rounds if cfp_id and r.cfps.get(peer) == cfp_id), None)

    def _is_late_proposal(self, message: AclMessage) -> bool:
        if message.performative is not Performative.PROPOSE:
            return False
        answered = self._round_of(message.sender, message.in_reply_to)
        return answered is not None and answered.closed and not answered.answered(message.sender)

    # ----------------------------------------------------------------- incoming

    def _is_call(self, performative: Performative) -> bool:
        return performative in (Performative.CFP, self.opening_performative)

    def _answers_call(self, message: AclMessage) -> bool:
        about = self._data.sent.get(message.in_reply_to or "")
        return about is not None and self._is_call(about.performative)

    def _check_answer(self, message: AclMessage) -> Unexpected | None:
        answered = self._round_of(message.sender, message.in_reply_to)
        if answered is None:
            return Unexpected(Anomaly.UNKNOWN_REPLY, "in-reply-to names no cfp we sent you")
        if answered.answered(message.sender):
            return Unexpected(Anomaly.OUT_OF_SEQUENCE, f"round {answered.number} was already answered")
        return None

    def _check_result(self, message: AclMessage) -> Unexpected | None:
        if (
            self.state is not _S.AWAITING_RESULTS
            or message.sender in self._data.failures | self._data.results
        ):
            return self._out_of_sequence(message, self.state)
        return self._check_reply(message, self._data.accepted.get(message.sender))

    def _check_failure(self, message: AclMessage) -> Unexpected | None:
        return self._check_answer(message) if self._answers_call(message) else self._check_result(message)

    def _on_failure(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        if self._answers_call(message):
            return self._on_answer(message, content, now)
        return self._on_result(message, content, now)

    def _on_answer(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        answered = self._round_of(message.sender, message.in_reply_to)
        if answered is not None and answered.closed:
            return self._late(message, now)
        current = self._current
        if message.performative is Performative.PROPOSE:
            current.proposals[message.sender] = message
        else:
            current.declined[message.sender] = message
        if current.all_answered():
            self._close_round(now, now)
        return []

    def _late(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        answered = self._round_of(message.sender, message.in_reply_to)
        if answered is not None and message.sender not in answered.late:
            answered.late.append(message.sender)
        self._event(EventKind.LATE, now, message=message, code=Anomaly.LATE, detail="after the round closed")
        if message.performative is not Performative.PROPOSE:
            return []
        return [self._reply(message, Performative.REJECT_PROPOSAL, Reason(reason=LATE_REASON), now)]

    def _on_result(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.INFORM:
            self._data.results[message.sender] = message
        else:
            self._data.failures[message.sender] = message
        return self._maybe_complete(now)

    def _maybe_complete(self, now: datetime) -> list[AclMessage]:
        answered = self._data.results.keys() | self._data.failures.keys()
        if any(w not in answered for w in self._data.accepted):
            return []
        if self._data.failures:
            self._finish(_S.FAILED, f"failure from {', '.join(sorted(self._data.failures))}", now)
        else:
            self._finish(_S.COMPLETED, f"all {len(self._data.accepted)} winner(s) informed", now)
        return []

    def _after_finish(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if self._is_late_proposal(message):
            return self._late(message, now)
        return super()._after_finish(message, now)

    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        peer = message.sender
        if self._is_call(about.performative):
            answered = self._round_of(peer, message.in_reply_to)
            if answered is self._current and not answered.closed and not answered.answered(peer):
                return self._on_answer(message, Reason(reason=reason), now)
        elif about.performative is Performative.ACCEPT_PROPOSAL and (
            self.state is _S.AWAITING_RESULTS and peer not in self._data.results | self._data.failures
        ):
            self._data.failures[peer] = message
            return self._maybe_complete(now)
        detail = f"not-understood of our {about.performative} changes nothing now"
        self._event(EventKind.IGNORED, now, message=message, code=Anomaly.OUT_OF_SEQUENCE, detail=detail)
        return []

    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        if self.state is _S.COLLECTING:
            self._close_round(due, now)
            return []
        if self.state is _S.EVALUATING:
            reason = Reason(reason=NO_DECISION_REASON)
            out = self._reject(list(self._current.proposals), reason, now)
            self._finish(_S.TIMED_OUT, NO_DECISION_REASON, now)
            return out
        answered = self._data.results.keys() | self._data.failures.keys()
        self._data.silent_winners = [w for w in self._data.accepted if w not in answered]
        self._finish(
            _S.FAILED, f"no result before result-by from {', '.join(self._data.silent_winners)}", now
        )
        return []
