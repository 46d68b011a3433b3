"""The contract agent's ledger sessions: one per party it commits for, each over gRPC (dazl) with a token of
that party's own ledger user only, its identity from the identity service (``ledger.identities``).

Under ``lso run`` the platform hands the agent its identity service (:func:`sourced_dazl_sessions`). Run on
its own, the agent builds one on first use (:class:`AgentSessions`), from its store (the identities
onboarding recorded), and:

* with ``LSO_LEDGER_MINT_TOKENS`` (development, one machine): the operator's and each party user's tokens
  minted with ``lso``'s ledger secret (``<LSO_DATA_DIR>/ledger-token.secret``, which the embedded ledger
  verifies), so a party seen for the first time (a new customer) is onboarded on its first session; never
  implied by the file merely being there;
* otherwise the configured tokens: ``LSO_LEDGER_PARTY_TOKENS`` (JSON ``{ledger user: token}``) and
  ``LSO_LEDGER_PARTY_TOKEN_DIR`` (one ``<ledger user>.jwt`` each), and, when ``LSO_LEDGER_OPERATOR_TOKEN`` is
  set, onboarding on first use.

A party without a ledger identity that cannot be onboarded is refused in words (``PartyNotOnboarded``), a
party whose user has no token here too (``NoPartyToken``)."""

from __future__ import annotations

from collections.abc import Callable

from common.settings import Settings
from ledger.commit_dazl import DazlCommitLedger
from ledger.identities import (
    ConfiguredPartyTokens,
    LedgerIdentities,
    LedgerOnboarding,
    PartySessions,
    PartyTokens,
    SignedUserTokens,
    user_token_provider,
)
from ledger.identities.store_book import StoreIdentityBook
from ledger.jsonapi_client import JsonApiClient, RetryPolicy, TokenProvider, static_token
from ledger.lifecycle import AuthoritySource, LedgerCalls, PartyLedger, SourcedSessions
from ledger.lifecycle.sessions import Connect
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from store.database import Database

ACTOR = "contract-agent"


def dazl_connect(ledger: LedgerSettings) -> Connect:
    """A dazl client at ``ledger.grpc_url`` per token provider."""

    def connect(token: TokenProvider) -> LedgerCalls:
        return DazlCommitLedger(ledger.grpc_url, token, timeout=ledger.client_timeout, application_id=None)

    return connect


def sourced_dazl_sessions(source: AuthoritySource, ledger: LedgerSettings) -> SourcedSessions:
    """Per-party sessions over gRPC at ``ledger.grpc_url`` from an identity service's sessions (``lso run``'s
    ``ledger.identities.PartySessions``)."""
    return SourcedSessions(source, dazl_connect(ledger))


class AgentSessions:
    """``ledger.lifecycle.PartySessions`` of an agent run on its own, built on first use (once the agent's
    store is final); see the module."""

    def __init__(self, store: Callable[[], Database], ledger: LedgerSettings, settings: Settings) -> None:
        self._store = store
        self.ledger = ledger
        self.settings = settings
        self._sessions: SourcedSessions | None = None
        self._operator: JsonApiClient | None = None

    def _authority(self) -> tuple[TokenProvider | None, PartyTokens]:
        """The operator's token (None: no onboarding) and the party users' tokens."""
        s = self.settings
        secret_file = s.ledger_secret_file
        if s.ledger_mint_tokens:
            tokens = SignedUserTokens(
                secret_file.read_text().strip(), lifetime=s.ledger_token_lifetime_seconds
            )
            return user_token_provider(tokens, s.ledger_operator_user), tokens
        operator = s.ledger_operator_token
        return (
            None if operator is None else static_token(operator.get_secret_value()),
            ConfiguredPartyTokens(s.ledger_party_tokens, s.ledger_party_token_dir),
        )

    def _build(self) -> SourcedSessions:
        operator, tokens = self._authority()
        onboarding = None
        if operator is not None:
            ls = self.ledger
            retry = RetryPolicy(ls.client_retries, ls.client_backoff, ls.client_backoff_max)
            self._operator = JsonApiClient(ls.json_api_url, operator, timeout=ls.client_timeout, retry=retry)
            onboarding = LedgerOnboarding(self._operator)
        identities = LedgerIdentities(StoreIdentityBook(self._store()), onboarding, actor=ACTOR)
        return sourced_dazl_sessions(PartySessions(identities, tokens), self.ledger)

    async def session(self, role: PartyRole, platform_id: str) -> PartyLedger:
        if self._sessions is None:
            self._sessions = self._build()
        return await self._sessions.session(role, platform_id)

    async def aclose(self) -> None:
        if self._sessions is not None:
            await self._sessions.aclose()
        if self._operator is not None:
            await self._operator.aclose()
        self._sessions = self._operator = None
