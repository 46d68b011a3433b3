"""The ledger sessions of the suppliers a proxy host serves: one per supplier, each with a token of that
supplier's own ledger user only (CanActAs + CanReadAs its party), over the HTTP JSON API.

The JSON API rather than gRPC: a host serves hundreds of suppliers (the shipped data set: 320) and resumes
each one's supply agreements when it starts; a JSON API client is an HTTP connection pool opened on first
use, where each dazl client would open its own gRPC channel and parse every package on the ledger.

    from ledger.identities import PartySessions      # lso run's identity service (onboards, mints tokens)
    host = ProxyHost("suppliers", settings, ledger=json_sessions(party_sessions, LedgerSettings()))

A host run on its own (``python -m agents.supplier_proxy --ledger``) uses :func:`configured_sessions`: the
identities onboarding stored, and the tokens it was given (``LSO_LEDGER_PARTY_TOKENS``,
``LSO_LEDGER_PARTY_TOKEN_DIR``): a supplier whose user has no token here signs nothing (refused in words).
"""

from __future__ import annotations

from collections.abc import Callable

from common.settings import Settings
from ledger.identities.store_lookup import StoreIdentities
from ledger.identities.tokens import ConfiguredPartyTokens
from ledger.jsonapi_client import JsonApiClient, RetryPolicy, TokenProvider
from ledger.lifecycle import AuthoritySource, LedgerCalls, SourcedSessions, TokenSessions
from ledger.lifecycle.sessions import Connect
from ledger.settings import LedgerSettings
from store.database import Database


def json_connect(ledger: LedgerSettings) -> Connect:
    """A JSON API client at ``ledger.json_api_url`` per token provider (its retries: ``ledger.client_*``)."""
    retry = RetryPolicy(ledger.client_retries, ledger.client_backoff, ledger.client_backoff_max)

    def connect(token: TokenProvider) -> LedgerCalls:
        return JsonApiClient(ledger.json_api_url, token, timeout=ledger.client_timeout, retry=retry)

    return connect


def json_sessions(source: AuthoritySource, ledger: LedgerSettings) -> SourcedSessions:
    """Per-supplier sessions over the JSON API from an identity service's sessions (``lso run``'s
    ``ledger.identities.PartySessions``); the host closes them when it stops."""
    return SourcedSessions(source, json_connect(ledger))


def configured_sessions(
    store: Callable[[], Database], settings: Settings, ledger: LedgerSettings
) -> TokenSessions:
    """Per-supplier sessions over the JSON API: identities from ``store`` (``ledger_identities``), tokens from
    ``settings`` (``LSO_LEDGER_PARTY_TOKENS``, ``LSO_LEDGER_PARTY_TOKEN_DIR``)."""
    tokens = ConfiguredPartyTokens(settings.ledger_party_tokens, settings.ledger_party_token_dir)
    return TokenSessions(StoreIdentities(store), tokens, json_connect(ledger))
