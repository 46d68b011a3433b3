"""An agent's share of a process's ledger authority: the sessions of the parties it acts for, and no others.

``lso run`` runs every agent in one process with one identity service; each agent is handed a
:class:`ScopedAuthority` that answers only for its own role (and, for a manufacturer's agent, only its own
manufacturer), so a customer's agent can never obtain a supplier's session, nor a manufacturer's agent a
customer's. A refusal names the role and party asked for and the agent's scope.
"""

from __future__ import annotations

from collections.abc import Iterable

from ledger.lifecycle.sessions import AuthoritySource, PartyAuthority
from ontology.contract import PartyRole


class OutsideScope(PermissionError):
    """The agent asked for the session of a party it does not act for (a wiring error: never a party that is
    merely not onboarded)."""


class ScopedAuthority:
    """:class:`AuthoritySource` limited to ``role`` (and to ``platform_ids`` when given)."""

    def __init__(
        self, source: AuthoritySource, role: PartyRole, platform_ids: Iterable[str] | None = None
    ) -> None:
        self.source = source
        self.role = role
        self.platform_ids = None if platform_ids is None else frozenset(platform_ids)

    def _scope(self) -> str:
        if self.platform_ids is None:
            return f"every {self.role}"
        return f"{self.role} {', '.join(sorted(self.platform_ids))}"

    async def session_for(self, role: PartyRole, platform_id: str, display_name: str = "") -> PartyAuthority:
        if role is not self.role or (self.platform_ids is not None and platform_id not in self.platform_ids):
            raise OutsideScope(
                f"this agent acts for {self._scope()}, not for {role} {platform_id}: no ledger session"
            )
        return await self.source.session_for(role, platform_id, display_name)
