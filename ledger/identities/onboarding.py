"""The operator's side of onboarding: a platform party gets its own ledger party and ledger user.

Only the ledger's standard JSON API endpoints are used, with the operator's token (a ParticipantAdmin user,
never one that may act as a party), so it works on the embedded ledger and on a Daml sandbox / Canton alike::

    POST /v1/user {"userId"}                       does the party's user exist? (its primaryParty)
    POST /v1/parties/allocate {"identifierHint"}   a new party; its id is what the ledger answers
    POST /v1/user/create {"userId", "primaryParty", "rights": [CanActAs P, CanReadAs P]}
    POST /v1/user/rights {"userId"}                exactly CanActAs + CanReadAs of its primary party

Idempotent and safe against racing onboardings (in this process or another): the user id and the party hint
are derived from the role and the platform id, so two onboardings ask for the same names. The party is always
read back from the user (its primary party), never computed from the hint; when the allocation says the hint
is taken (the other onboarding was first), the party is looked up among the ledger's parties by its hint; when
creating the user says it exists, the other onboarding's user (and its party) is used. A user whose rights
differ from "act and read as its own party" is corrected: missing rights are granted, any other right
(another party, ParticipantAdmin...) is revoked and logged.
"""

from __future__ import annotations

import logging

from ledger.identities.identity import LedgerIdentity, PartyRef
from ledger.identities.naming import ledger_user_id, party_hint
from ledger.jsonapi_client import JsonApiClient, LedgerRejected, LedgerUser, UserRight

log = logging.getLogger(__name__)

ACT_AS = "CanActAs"
READ_AS = "CanReadAs"


class OnboardingError(Exception):
    """The ledger's state does not allow onboarding this party (e.g. its user has no primary party)."""


def own_rights(party: str) -> list[UserRight]:
    """The rights of a party's user: act and read as that party, nothing else."""
    return [UserRight(ACT_AS, party), UserRight(READ_AS, party)]


class LedgerOnboarding:
    """Onboards platform parties through ``client`` (a JSON API client holding the operator's token)."""

    def __init__(self, client: JsonApiClient) -> None:
        self.client = client

    async def onboard(self, who: PartyRef) -> LedgerIdentity:
        """The ledger party and user of ``who``, allocated and created if missing, rights made exact."""
        user_id = ledger_user_id(who.role, who.platform_id)
        user = await self.client.user(user_id)
        if user is None:
            user = await self._create(who, user_id)
        if not user.primary_party:
            raise OnboardingError(
                f"the ledger user {user_id} of {who.label} exists without a primary party: an admin must "
                "set it (or delete the user) before it can be onboarded"
            )
        await self._exact_rights(user_id, user.primary_party, who)
        return LedgerIdentity(
            role=who.role,
            platform_id=who.platform_id,
            party=user.primary_party,
            user_id=user_id,
            display_name=who.display_name,
        )

    async def _create(self, who: PartyRef, user_id: str) -> LedgerUser:
        party = await self._allocate(who)
        try:
            await self.client.create_user(user_id, primary_party=party, rights=own_rights(party))
            log.debug("onboarded %s: ledger party %s, ledger user %s", who.label, party, user_id)
        except LedgerRejected as exc:
            if exc.status != 409:
                raise
            log.info("the user %s of %s was created meanwhile (a racing onboarding)", user_id, who.label)
        user = await self.client.user(user_id)
        if user is None:
            raise OnboardingError(f"the ledger user {user_id} of {who.label} vanished after its creation")
        if user.primary_party != party:
            log.warning(
                "the party %s allocated for %s stays unused: its user %s signs as %s (a racing onboarding "
                "on a ledger that gave the same hint another party)",
                party,
                who.label,
                user_id,
                user.primary_party,
            )
        return user

    async def _allocate(self, who: PartyRef) -> str:
        hint = party_hint(who.role, who.platform_id)
        display = who.display_name or who.label
        try:
            return (await self.client.allocate_party(hint, display)).identifier
        except LedgerRejected as exc:
            if exc.status not in (400, 409) or not any("exist" in e.lower() for e in exc.errors):
                raise
        for known in await self.client.parties():
            if known.is_local and known.identifier.split("::", 1)[0] == hint:
                log.info("the party %s of %s was allocated before (%s)", known.identifier, who.label, hint)
                return known.identifier
        raise OnboardingError(f"the ledger says the party hint {hint!r} is taken, yet lists no such party")

    async def _exact_rights(self, user_id: str, party: str, who: PartyRef) -> None:
        wanted = set(own_rights(party))
        current = set(await self.client.user_rights(user_id))
        missing = sorted(wanted - current)
        extra = sorted(current - wanted)
        if missing:
            await self.client.grant_user_rights(user_id, missing)
            log.info("granted %s to the ledger user %s of %s", _names(missing), user_id, who.label)
        if extra:
            await self.client.revoke_user_rights(user_id, extra)
            log.warning(
                "revoked %s from the ledger user %s of %s: a party's user acts and reads as its own party "
                "%s only",
                _names(extra),
                user_id,
                who.label,
                party,
            )


def _names(rights: list[UserRight]) -> str:
    return ", ".join(f"{r.kind}({r.party})" if r.party else r.kind for r in rights)
