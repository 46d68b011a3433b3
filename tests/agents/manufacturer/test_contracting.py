"""The contract agent's step: an answer that leaves the commit open (agreed but no result in time, the ledger
away at the contract agent) is ``commit-pending``, never a failure; a refusal, or no answer at all (the
contract agent never agreed, and commits no order the store has failed), stays a failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agents.manufacturer import contracting
from agents.manufacturer.contracting import COMMIT_PENDING, ContractAgentStep
from ontology.common import Reason
from protocols.request import AGREED_NO_RESULT, NO_ANSWER
from tests.agents.manufacturer.ledger_support import a_request


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Reason(reason="no-answer", detail="contract@x did not answer in time"), "no-answer"),
        (Reason(reason="timed-out", detail=NO_ANSWER), "timed-out"),
        (Reason(reason="timed-out", detail=AGREED_NO_RESULT), COMMIT_PENDING),
        (
            Reason(
                reason="the ledger is unreachable; the order stays contracting, retry later", detail="refused"
            ),
            COMMIT_PENDING,
        ),
        (Reason(reason="wrong-status", detail="order is failed"), "wrong-status"),
        (Reason(reason="agreement-conflict", detail="another agreement"), "agreement-conflict"),
    ],
)
async def test_only_an_open_outcome_is_pending(
    answer: Reason, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def answers(*_: Any, **__: Any) -> Reason:
        return answer

    monkeypatch.setattr(contracting, "ask", answers)
    step = ContractAgentStep(None, "contract@x", timedelta(seconds=1))  # type: ignore[arg-type]
    result = await step.commit(a_request())
    assert isinstance(result, Reason) and result.reason == reason
    if reason == COMMIT_PENDING:
        assert result.detail and result.detail.startswith("the contract agent did not confirm the commit: ")
