"""Typed errors of the EFPF clients; each has a short ``reason`` an agent can send in a FIPA ``failure``."""

from __future__ import annotations


class FederationError(Exception):
    """Base of every error the federation clients raise."""

    #: Short, stable, machine-readable reason (``ontology.common.Reason.reason``).
    reason = "federation-error"

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        where = f" ({self.url}" + (f", HTTP {self.status}" if self.status is not None else "") + ")"
        return self.message + (where if self.url else "")


class FederationUnavailable(FederationError):
    """A service did not answer (connection refused, timeout, TLS failure) or kept answering 5xx."""

    reason = "efpf-unreachable"


class AuthenticationFailed(FederationError):
    """The identity provider refused the credentials (wrong username/password or client),
    or a service kept rejecting a fresh token."""

    reason = "efpf-bad-credentials"


class AccessDenied(FederationError):
    """Authenticated, but the account lacks the role the operation needs (HTTP 403)."""

    reason = "efpf-access-denied"


class NotFound(FederationError):
    """The addressed resource (realm, service description) does not exist (HTTP 404)."""

    reason = "efpf-not-found"


class SearchServiceNotFound(FederationError):
    """The service registry lists no service matching the configured search-service selector."""

    reason = "efpf-no-search-service"


class MalformedResponse(FederationError):
    """A response was not JSON, or its JSON does not have the expected shape."""

    reason = "efpf-malformed-response"


class UnexpectedResponse(FederationError):
    """A response status the client has no meaning for (a 4xx other than 401/403/404)."""

    reason = "efpf-unexpected-response"
