"""HTTP plumbing of the EFPF clients: one configured ``httpx.AsyncClient``, bounded retries with
exponential backoff on 5xx answers and connection errors, and status/JSON checks that raise typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from federation.errors import (
    AccessDenied,
    AuthenticationFailed,
    FederationError,
    FederationUnavailable,
    MalformedResponse,
    NotFound,
    UnexpectedResponse,
)
from federation.settings import FederationSettings

log = logging.getLogger(__name__)

#: Answers worth another try: the server (or a proxy in front of it) is in trouble, not the request.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Longest piece of an error body quoted in an exception message.
QUOTE = 300


def make_http_client(settings: FederationSettings) -> httpx.AsyncClient:
    """An ``AsyncClient`` with the configured timeouts and TLS verification (on unless switched off)."""
    verify: ssl.SSLContext | bool
    if not settings.verify_tls:
        verify = False
    elif settings.ca_bundle is not None:
        verify = ssl.create_default_context(cafile=str(settings.ca_bundle))
    else:
        verify = True
    timeout = httpx.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds)
    return httpx.AsyncClient(
        timeout=timeout, verify=verify, headers={"Accept": "application/json"}, follow_redirects=False
    )


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more tries after the first; retry n waits ~``backoff * 2**n``, at most ``backoff_max``."""

    retries: int = 3
    backoff: float = 0.2
    backoff_max: float = 5.0

    @classmethod
    def from_settings(cls, settings: FederationSettings) -> RetryPolicy:
        return cls(settings.retries, settings.backoff_seconds, settings.backoff_max_seconds)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): 'equal jitter' backoff."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff * 2.0**retry)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    what: str,
    **kwargs: Any,
) -> httpx.Response:
    """Send a request; retry on connection errors, timeouts and :data:`RETRY_STATUSES`.

    Returns the first other response (any status). Raises :class:`FederationUnavailable` once the
    retries are used up, and at once on a TLS verification failure (retrying cannot fix that).
    """
    problem = ""
    for attempt in range(policy.retries + 1):
        retry_after: float | None = None
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            if _tls_failure(exc):
                raise FederationUnavailable(
                    f"{what}: TLS verification failed: {exc}", url=_plain(url)
                ) from exc
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            problem = f"HTTP {response.status_code} {_quote(response)}".rstrip()
            retry_after = _retry_after(response)
        if attempt < policy.retries:
            pause = policy.delay(attempt, retry_after)
            log.warning("%s: %s; retry %d/%d in %.2f s", what, problem, attempt + 1, policy.retries, pause)
            await asyncio.sleep(pause)
    tries = policy.retries + 1
    raise FederationUnavailable(
        f"{what} failed after {tries} tr{'y' if tries == 1 else 'ies'}: {problem}", url=_plain(url)
    )


def check_status(response: httpx.Response, what: str) -> None:
    """Raise the typed error for a 4xx answer (5xx ones were retried by :func:`send`)."""
    status = response.status_code
    if status < 400:
        return
    url = _plain(str(response.request.url))
    detail = f"{what}: HTTP {status} {_quote(response)}".rstrip()
    error: type[FederationError]
    if status == 401:
        error = AuthenticationFailed
    elif status == 403:
        error = AccessDenied
    elif status == 404:
        error = NotFound
    elif status >= 500:
        error = FederationUnavailable
    else:
        error = UnexpectedResponse
    raise error(detail, url=url, status=status)


def json_body(response: httpx.Response, what: str) -> Any:
    """The response's JSON; :class:`MalformedResponse` if it is not JSON."""
    try:
        return response.json()
    except ValueError as exc:
        raise MalformedResponse(
            f"{what}: response is not JSON ({exc}): {response.text[:QUOTE]!r}",
            url=_plain(str(response.request.url)),
            status=response.status_code,
        ) from exc


def _quote(response: httpx.Response) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    return text[:QUOTE].replace("\n", " ")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _plain(url: str) -> str:
    """The URL without its query string (which may carry user input)."""
    return url.split("?", 1)[0]
