"""Each party its own ledger user: onboarding (operator side), the identity book, party tokens, sessions.

* ``naming.py``: the party hint and the user id asked for a platform party (deterministic, sanitised);
* ``identity.py``: ``PartyRef`` (role, platform id, display name), ``LedgerIdentity`` (+ party, user);
* ``onboarding.py``: ``LedgerOnboarding``: allocate the party, create its user (CanActAs + CanReadAs that
  party only) over the JSON API with the operator's token;
* ``book.py``, ``store_book.py``: the ``IdentityBook`` Protocol; the platform store's ``ledger_identities``;
* ``service.py``: ``LedgerIdentities.ensure(who)``: from the book, else onboarded and stored;
* ``tokens.py``: ``PartyTokens``: ``SignedUserTokens`` (embedded, HS256), ``ConfiguredPartyTokens``
  (production);
* ``sessions.py``: ``PartySessions.session_for(role, platform_id)`` -> ``PartySession(identity, token)``.
"""

from __future__ import annotations

from ledger.identities.book import IdentityBook, MemoryIdentityBook
from ledger.identities.identity import LedgerIdentity, PartyRef
from ledger.identities.onboarding import LedgerOnboarding, OnboardingError
from ledger.identities.service import IdentityConflict, LedgerIdentities, NotOnboarded
from ledger.identities.sessions import PartySession, PartySessions, PartySessionSource
from ledger.identities.tokens import (
    ConfiguredPartyTokens,
    NoPartyToken,
    PartyTokens,
    SignedUserTokens,
    user_token_provider,
)

__all__ = [
    "ConfiguredPartyTokens",
    "IdentityBook",
    "IdentityConflict",
    "LedgerIdentities",
    "LedgerIdentity",
    "LedgerOnboarding",
    "MemoryIdentityBook",
    "NoPartyToken",
    "NotOnboarded",
    "OnboardingError",
    "PartyRef",
    "PartySession",
    "PartySessionSource",
    "PartySessions",
    "PartyTokens",
    "SignedUserTokens",
    "user_token_provider",
]
