"""How a component acting for several parties (the contract agent, for now) gets the ledger session of one
of them: the party's ledger identity (the party id the ledger allocated and the party's own ledger user, from
the identity store), a token of that user only (a ``PartyTokens`` provider), and a Ledger API client carrying
it. Nothing here may act as any other party, and no party id is ever derived from a platform id."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Protocol

from ledger.jsonapi_client import TokenProvider
from ledger.lifecycle.errors import StepRefused
from ledger.lifecycle.party import PartyLedger
from ledger.lifecycle.session import LedgerCalls
from ontology.contract import PartyRole


class PartyUser(Protocol):
    """A platform party on the ledger: its party id (as the ledger allocated it) and its own ledger user
    (rights: CanActAs and CanReadAs that party only), e.g. ``ledger.identities.LedgerIdentity``."""

    @property
    def party(self) -> str: ...

    @property
    def user_id(self) -> str: ...


class PartyIdentities(Protocol):
    """Where (role, platform id) -> ledger identity is kept (the identity store)."""

    async def identity(self, role: PartyRole, platform_id: str) -> PartyUser | None: ...


class PartyTokens(Protocol):
    """Tokens of one ledger user each (never of an operator or of several parties)."""

    async def token(self, user_id: str) -> str: ...


class PartySessions(Protocol):
    """The ledger session of the platform party ``platform_id`` in ``role``: what acts for it on the ledger.
    Raises :class:`PartyNotOnboarded` when the party has no ledger identity."""

    async def session(self, role: PartyRole, platform_id: str) -> PartyLedger: ...


class PartyNotOnboarded(StepRefused):
    def __init__(self, role: PartyRole, platform_id: str) -> None:
        super().__init__(f"{role} {platform_id} has no ledger party and user (it is not onboarded)")


Connect = Callable[[TokenProvider], LedgerCalls]
"""A Ledger API client (dazl or the JSON API) carrying the tokens of one provider."""


class TokenSessions:
    """:class:`PartySessions` from an identity store and a token provider: one client per ledger user, opened
    on first use with ``connect`` and kept (close them with :meth:`aclose`)."""

    def __init__(self, identities: PartyIdentities, tokens: PartyTokens, connect: Connect) -> None:
        self.identities = identities
        self.tokens = tokens
        self.connect = connect
        self._sessions: dict[tuple[str, str], PartyLedger] = {}

    async def session(self, role: PartyRole, platform_id: str) -> PartyLedger:
        identity = await self.identities.identity(role, platform_id)
        if identity is None:
            raise PartyNotOnboarded(role, platform_id)
        key = (identity.party, identity.user_id)
        session = self._sessions.get(key)
        if session is None:
            user = identity.user_id

            async def token() -> str:
                return await self.tokens.token(user)

            session = self._sessions[key] = PartyLedger(self.connect(token), identity.party)
        return session

    async def aclose(self) -> None:
        await _close(self._sessions)


class StaticIdentities:
    """:class:`PartyIdentities` from a fixed mapping (tests, a one-machine setup)."""

    def __init__(self, identities: Mapping[tuple[PartyRole, str], PartyUser]) -> None:
        self._identities = dict(identities)

    async def identity(self, role: PartyRole, platform_id: str) -> PartyUser | None:
        return self._identities.get((role, platform_id))


class PartyAuthority(Protocol):
    """One party's authority on the ledger as an identity service hands it out (e.g.
    ``ledger.identities.PartySession``): its party id, its user, that user's tokens."""

    @property
    def party(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def token(self) -> TokenProvider: ...


class AuthoritySource(Protocol):
    """Where a party's authority comes from (e.g. ``ledger.identities.PartySessions``, which onboards a
    party on its first session when it can, and raises a ``LookupError`` when it cannot)."""

    async def session_for(
        self, role: PartyRole, platform_id: str, display_name: str = ""
    ) -> PartyAuthority: ...


class SourcedSessions:
    """:class:`PartySessions` over an :class:`AuthoritySource`: one client per ledger user, opened on first
    use with ``connect`` and kept (close them with :meth:`aclose`)."""

    def __init__(self, source: AuthoritySource, connect: Connect) -> None:
        self.source = source
        self.connect = connect
        self._sessions: dict[tuple[str, str], PartyLedger] = {}

    async def session(self, role: PartyRole, platform_id: str) -> PartyLedger:
        try:
            authority = await self.source.session_for(role, platform_id)
        except LookupError as exc:
            raise PartyNotOnboarded(role, platform_id) from exc
        key = (authority.party, authority.user_id)
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = PartyLedger(self.connect(authority.token), authority.party)
        return session

    async def aclose(self) -> None:
        await _close(self._sessions)


async def _close(sessions: dict[tuple[str, str], PartyLedger]) -> None:
    """Close the clients of ``sessions`` (emptied)."""
    opened = list(sessions.values())
    sessions.clear()
    for session in opened:
        aclose = getattr(session.client, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
