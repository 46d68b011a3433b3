"""``lso run``'s ledger identities: the operator's and the parties' tokens, and the onboarding of the parties
the platform runs before its agents start.

* Tokens: on the embedded ledger that ``lso run`` starts, HS256 user tokens minted with the platform's ledger
  secret (``<LSO_DATA_DIR>/ledger-token.secret``, see :mod:`ledger.identities.tokens`); on any other ledger
  (``LSO_LEDGER_LOCAL=false``, or ``LSO_LEDGER_AUTH_*`` configured) the configured ones:
  ``LSO_LEDGER_OPERATOR_TOKEN`` and ``LSO_LEDGER_PARTY_TOKENS`` / ``LSO_LEDGER_PARTY_TOKEN_DIR``.
* Onboarding: eagerly, at start, every manufacturer whose agent runs and every supplier of the data set the
  supplier proxy host serves (they are few, known at start, and must be able to sign the first order's
  agreements: a supplier accepts its supply agreement within seconds of the customer's confirmation);
  customers lazily, on their first session (:meth:`PartySessions.session_for`), because they sign up in the
  app at any time and most never order: a party allocated on Canton is a topology transaction that stays.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from cli.order_agents import dataset_suppliers
from cli.roster import manufacturer_policies
from common.settings import Settings
from federation.settings import FederationSettings
from ledger.identities import (
    ConfiguredPartyTokens,
    IdentityConflict,
    LedgerIdentities,
    LedgerOnboarding,
    OnboardingError,
    PartyRef,
    PartySessions,
    PartyTokens,
    SignedUserTokens,
    user_token_provider,
)
from ledger.identities.store_book import StoreIdentityBook
from ledger.identities.tokens import load_or_create_secret
from ledger.jsonapi_client import JsonApiClient, LedgerClientError, RetryPolicy, TokenProvider, static_token
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from store.database import Database

log = logging.getLogger(__name__)


class OnboardingFailed(ConnectionError):
    """The ledger refused or could not take the onboarding of the platform's parties: ``lso run`` ends with
    this reason (no agent could sign), as it does when an agent cannot log in."""


@dataclass(frozen=True)
class LedgerAuthority:
    """How this process gets ledger tokens: ``operator`` (None: it cannot onboard) and the parties'."""

    operator: TokenProvider | None
    parties: PartyTokens


def platform_secret(settings: Settings) -> str:
    """The embedded ledger's HS256 secret (made on first use)."""
    return load_or_create_secret(settings.ledger_secret_file)


def minted_authority(settings: Settings, secret: str) -> LedgerAuthority:
    """Tokens minted with the embedded ledger's secret: the operator's user's and each party user's."""
    tokens = SignedUserTokens(secret, lifetime=settings.ledger_token_lifetime_seconds)
    return LedgerAuthority(user_token_provider(tokens, settings.ledger_operator_user), tokens)


def configured_authority(settings: Settings) -> LedgerAuthority:
    """Tokens given by configuration (a ledger the platform did not start)."""
    operator = settings.ledger_operator_token
    return LedgerAuthority(
        static_token(operator.get_secret_value()) if operator is not None else None,
        ConfiguredPartyTokens(settings.ledger_party_tokens, settings.ledger_party_token_dir),
    )


def operator_client(ledger: LedgerSettings, operator: TokenProvider) -> JsonApiClient:
    retry = RetryPolicy(ledger.client_retries, ledger.client_backoff, ledger.client_backoff_max)
    return JsonApiClient(ledger.json_api_url, operator, timeout=ledger.client_timeout, retry=retry)


async def platform_parties(
    settings: Settings, db: Database, federation: FederationSettings
) -> list[PartyRef]:
    """The manufacturers whose agents this platform runs and the suppliers of its data set."""
    async with db.transaction(flush_acl_log=False) as repos:
        owners = [p.owner_user_id for p in await manufacturer_policies(repos, settings) if p.owner_user_id]
        users = [await repos.users.get(owner) for owner in dict.fromkeys(owners)]
    parties = [
        PartyRef(role=PartyRole.MANUFACTURER, platform_id=user.id, display_name=user.display_name[:200])
        for user in users
        if user is not None
    ]
    parties += [
        PartyRef(role=PartyRole.SUPPLIER, platform_id=s.id, display_name=s.name[:200])
        for s in dataset_suppliers(federation)
    ]
    return parties


@contextlib.asynccontextmanager
async def party_sessions(
    settings: Settings,
    ledger: LedgerSettings,
    db: Database,
    authority: LedgerAuthority,
    parties: list[PartyRef],
    *,
    actor: str,
) -> AsyncIterator[PartySessions]:
    """The parties' sessions, after onboarding ``parties`` (when this process holds the operator's token;
    without it, only parties onboarded before have sessions)."""
    book = StoreIdentityBook(db)
    if authority.operator is None:
        log.warning(
            "no operator token for the ledger at %s (LSO_LEDGER_OPERATOR_TOKEN): parties are not onboarded; "
            "only those onboarded before (`lso ledger onboard`) can sign",
            ledger.json_api_url,
        )
        yield PartySessions(LedgerIdentities(book, None, actor=actor), authority.parties)
        return
    async with operator_client(ledger, authority.operator) as client:
        identities = LedgerIdentities(book, LedgerOnboarding(client), actor=actor)
        started = time.monotonic()
        try:
            await identities.ensure_all(parties, concurrency=settings.ledger_onboard_concurrency)
        except (LedgerClientError, OnboardingError, IdentityConflict) as exc:
            raise OnboardingFailed(
                f"onboarding the platform's parties on the ledger at {ledger.json_api_url} failed: {exc}"
            ) from exc
        log.info(
            "%d parties (manufacturers and suppliers) have their ledger identities (%.1f s); customers are "
            "onboarded on their first ledger step",
            len(parties),
            time.monotonic() - started,
        )
        yield PartySessions(identities, authority.parties)
