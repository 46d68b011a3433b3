"""The contract step, pluggable: commit a confirmed order and its supply network.

:class:`ContractAgentStep` asks the contract agent (FIPA ``request`` with
:class:`~ontology.contract.CommitAgreement`; ``agree``, then ``inform``
:class:`~ontology.contract.ContractCommitted` or ``failure``). Anything with the same ``commit``
coroutine can stand in for it.

A step that cannot tell whether the contracts were committed (the ledger did not answer, the contract agent
agreed but sent no result in time) answers :data:`COMMIT_PENDING`: the commit may still land, so the order is
not failed for it; the flow asks again (every step is idempotent) until the answer is certain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from agents.manufacturer.requests import Opened, ask
from agents.runtime.platform_agent import PlatformAgent
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from protocols.request import AGREED_NO_RESULT, RequestInitiatorState

COMMIT_PENDING = "commit-pending"
"""The reason of a contract step that may still have committed (the ledger or the contract agent away)."""

_UNCERTAIN = Reason(reason=RequestInitiatorState.TIMED_OUT, detail=AGREED_NO_RESULT)
"""How a request to the contract agent ends when it may still commit: it agreed, and sent no result in time.
One that never answered did not agree: it commits only an order still ``confirmed`` or ``contracting`` in the
store, so the failed order fences it off."""
_LEDGER_AWAY = "the ledger is unreachable"
"""How the contract agent's failure begins when the ledger stayed unreachable (the order stays
contracting)."""


def pending(detail: str) -> Reason:
    """The answer of a contract step whose commit may still land."""
    return Reason(reason=COMMIT_PENDING, detail=detail[:10_000])


class ContractStep(Protocol):
    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        """The committed contracts, or why not."""
        ...


class ContractAgentStep:
    """Commits through a contract agent over FIPA Request."""

    def __init__(self, agent: PlatformAgent, contract_agent: str, timeout: timedelta) -> None:
        self.agent = agent
        self.contract_agent = contract_agent
        self.timeout = timeout

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        result = await ask(
            self.agent, self.contract_agent, request, ContractCommitted, timeout=self.timeout, opened=opened
        )
        if isinstance(result, Reason) and (result == _UNCERTAIN or result.reason.startswith(_LEDGER_AWAY)):
            return pending(f"the contract agent did not confirm the commit: {result.detail or result.reason}")
        return result
