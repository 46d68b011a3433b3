"""Per-party sessions: what a component acting for a party needs to submit as that party, and nothing more.

    sessions = PartySessions(identities, tokens)
    session = await sessions.session_for(PartyRole.CUSTOMER, customer_id)
    JsonApiClient(url, session.token)          # its user's token only
    client.create(..., act_as=[session.party])  # the party id as allocated (never the hint)

A party without a ledger identity is onboarded on its first session (customers: lazily, see ``README.md``),
when the identity service can onboard; otherwise :class:`~ledger.identities.service.NotOnboarded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ledger.identities.identity import LedgerIdentity, PartyRef
from ledger.identities.service import LedgerIdentities
from ledger.identities.tokens import PartyTokens, user_token_provider
from ledger.jsonapi_client import TokenProvider
from ontology.contract import PartyRole


@dataclass(frozen=True)
class PartySession:
    """One party's authority on the ledger: its party id (as allocated), its user, its user's tokens."""

    identity: LedgerIdentity
    token: TokenProvider

    @property
    def party(self) -> str:
        return self.identity.party

    @property
    def user_id(self) -> str:
        return self.identity.user_id


class PartySessionSource(Protocol):
    """What the contract agent asks for: the session of a platform party."""

    async def session_for(
        self, role: PartyRole, platform_id: str, display_name: str = ""
    ) -> PartySession: ...


class PartySessions:
    """Sessions from the identity service and a :class:`PartyTokens` provider."""

    def __init__(self, identities: LedgerIdentities, tokens: PartyTokens) -> None:
        self.identities = identities
        self.tokens = tokens

    async def session_for(self, role: PartyRole, platform_id: str, display_name: str = "") -> PartySession:
        who = PartyRef(role=role, platform_id=platform_id, display_name=display_name)
        identity = await self.identities.ensure(who)
        return PartySession(identity, user_token_provider(self.tokens, identity.user_id))
