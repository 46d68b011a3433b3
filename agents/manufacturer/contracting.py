"""The contract step, pluggable: commit a confirmed order and its supply network.

:class:`ContractAgentStep` asks the contract agent (FIPA ``request`` with
:class:`~ontology.contract.CommitAgreement`; ``agree``, then ``inform``
:class:`~ontology.contract.ContractCommitted` or ``failure``). Anything with the same ``commit``
coroutine can stand in for it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from agents.manufacturer.requests import Opened, ask
from agents.runtime.platform_agent import PlatformAgent
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted


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
        return await ask(
            self.agent, self.contract_agent, request, ContractCommitted, timeout=self.timeout, opened=opened
        )
