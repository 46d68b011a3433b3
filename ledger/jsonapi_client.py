"""Async client of the DAML HTTP JSON API v1 (embedded ledger or a real Daml 2.x JSON API), on httpx.

Every request carries ``Authorization: Bearer <token>`` from a token provider (a coroutine function, so tokens
from the identity provider can be fetched and refreshed). Commands always carry a command id (the caller's, or
one generated per call and kept across retries), so retrying after a connection error or a 5xx is safe: the
ledger deduplicates. Connection errors, timeouts and 5xx are retried with exponential backoff; after the last
attempt :class:`LedgerUnavailable` is raised. 4xx answers raise :class:`LedgerRejected` (401/403:
:class:`LedgerAuthError`; 409 ``DUPLICATE_COMMAND``: :class:`DuplicateCommand`) at once.

A command id accepted within the ledger's deduplication period is refused as Daml does (409,
``DUPLICATE_COMMAND``): a retry of a command that did commit therefore raises :class:`DuplicateCommand`
instead of answering the first result; look the contract up (query) to continue.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from common.tls import default_tls_context

log = logging.getLogger(__name__)

TokenProvider = Callable[[], Awaitable[str]]


def static_token(token: str) -> TokenProvider:
    async def provide() -> str:
        return token

    return provide


class LedgerClientError(Exception):
    """A JSON API call failed; ``status`` is the HTTP status (0: no answer), ``errors`` the envelope's."""

    def __init__(self, status: int, errors: Sequence[str]) -> None:
        super().__init__(f"HTTP {status}: {'; '.join(errors) or 'no detail'}")
        self.status = status
        self.errors = list(errors)


class LedgerUnavailable(LedgerClientError):
    """No answer (connection refused, timeout) or a 5xx, after every retry."""


class LedgerRejected(LedgerClientError):
    """The ledger refused the request (4xx): bad command, not authorized, unknown contract..."""


class LedgerAuthError(LedgerRejected):
    """401 (missing, bad or expired token) or 403 (the token does not allow it)."""


class DuplicateCommand(LedgerRejected):
    """409 ``DUPLICATE_COMMAND``: a command with this command id (same application and act_as parties) was
    already accepted within the deduplication period; it took effect once. ``completion_offset`` is the
    accepted command's offset when the ledger says (Daml's ``ledgerApiError`` metadata), else ``None``."""

    def __init__(self, status: int, errors: Sequence[str], completion_offset: str | None = None) -> None:
        super().__init__(status, errors)
        self.completion_offset = completion_offset


@dataclass(frozen=True)
class ActiveContract:
    contract_id: str
    template_id: str
    payload: dict[str, Any]
    signatories: tuple[str, ...] = ()
    observers: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActiveContract:
        return cls(
            contract_id=data["contractId"],
            template_id=data["templateId"],
            payload=data.get("payload") or {},
            signatories=tuple(data.get("signatories") or ()),
            observers=tuple(data.get("observers") or ()),
        )


@dataclass(frozen=True)
class ExerciseResult:
    exercise_result: Any
    created: tuple[ActiveContract, ...] = ()
    archived: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartyInfo:
    identifier: str
    display_name: str = ""
    is_local: bool = True


@dataclass(frozen=True)
class LedgerUser:
    """A user of Daml 2.x user management (``{"userId", "primaryParty"?}``)."""

    user_id: str
    primary_party: str = ""


@dataclass(frozen=True, order=True)
class UserRight:
    """One right of a user: ``kind`` CanActAs|CanReadAs (with ``party``), ParticipantAdmin or
    IdentityProviderAdmin."""

    kind: str
    party: str = ""

    def to_json(self) -> dict[str, str]:
        return {"type": self.kind, "party": self.party} if self.party else {"type": self.kind}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserRight:
        return cls(str(data["type"]), str(data.get("party") or ""))


@dataclass
class RetryPolicy:
    attempts: int = 5
    backoff: float = 0.2
    backoff_max: float = 5.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff * (2**attempt), self.backoff_max))


class JsonApiClient:
    """One JSON API endpoint; use as ``async with JsonApiClient(url, token_provider) as ledger: ...``."""

    def __init__(
        self,
        base_url: str,
        token: TokenProvider | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.retry = retry or RetryPolicy()
        if transport is None:
            # Requests may go out as two writes (headers, body): without TCP_NODELAY, Nagle's algorithm
            # and the peer's delayed ACK add ~40 ms to a round trip.
            transport = httpx.AsyncHTTPTransport(
                verify=default_tls_context(), socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            )
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)

    async def __aenter__(self) -> JsonApiClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- transport -------------------------------------------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        last: LedgerClientError | None = None
        for attempt in range(max(self.retry.attempts, 1)):
            if attempt:
                await self.retry.sleep(self.retry.delay(attempt - 1))
            headers = dict(kwargs.pop("headers", None) or {})
            if self._token is not None:
                headers["Authorization"] = f"Bearer {await self._token()}"
            try:
                response = await self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                last = LedgerUnavailable(0, [f"{type(exc).__name__}: {exc}"])
                log.info("ledger %s %s: %s (attempt %d)", method, path, last, attempt + 1)
                continue
            if response.status_code >= 500:
                last = LedgerUnavailable(response.status_code, _errors(response))
                log.info("ledger %s %s: %s (attempt %d)", method, path, last, attempt + 1)
                continue
            if response.status_code in (401, 403):
                raise LedgerAuthError(response.status_code, _errors(response))
            if response.status_code == 409 and any("DUPLICATE_COMMAND" in e for e in _errors(response)):
                raise DuplicateCommand(409, _errors(response), _completion_offset(response))
            if response.status_code >= 400:
                raise LedgerRejected(response.status_code, _errors(response))
            return response
        assert last is not None
        raise last

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = (
            await self._request(method, path, json=body)
            if body is not None
            else await self._request(method, path)
        )
        return response.json().get("result")

    # -- packages and parties --------------------------------------------------------------------------------

    async def upload_dar(self, dar: bytes) -> None:
        """Deploy a DAR (``POST /v1/packages``; needs an admin token). Uploading it again is harmless."""
        await self._request(
            "POST", "/v1/packages", content=dar, headers={"Content-Type": "application/octet-stream"}
        )

    async def packages(self) -> list[str]:
        return list(await self._call("GET", "/v1/packages"))

    async def parties(self) -> list[PartyInfo]:
        return [_party(p) for p in await self._call("GET", "/v1/parties")]

    async def allocate_party(self, hint: str | None = None, display_name: str | None = None) -> PartyInfo:
        body: dict[str, Any] = {}
        if hint:
            body["identifierHint"] = hint
        if display_name:
            body["displayName"] = display_name
        return _party(await self._call("POST", "/v1/parties/allocate", body))

    async def ensure_party(self, hint: str, display_name: str | None = None) -> PartyInfo:
        """The party with id ``hint``, allocated if it does not exist (on the embedded ledger the id is the
        hint)."""
        known = await self._call("POST", "/v1/parties", [hint])
        if known:
            return _party(known[0])
        try:
            return await self.allocate_party(hint, display_name)
        except LedgerRejected as exc:
            if exc.status != 409:
                raise
            return PartyInfo(hint, display_name or hint)

    # -- users (Daml 2.x user management over /v1/user...; an admin token) ----------------------------------

    async def user(self, user_id: str) -> LedgerUser | None:
        """The user (``POST /v1/user``), or None when the ledger does not know it (404)."""
        try:
            data = await self._call("POST", "/v1/user", {"userId": user_id})
        except LedgerRejected as exc:
            if exc.status == 404:
                return None
            raise
        return LedgerUser(str(data["userId"]), str(data.get("primaryParty") or ""))

    async def create_user(
        self, user_id: str, primary_party: str | None = None, rights: Sequence[UserRight] = ()
    ) -> None:
        """``POST /v1/user/create``; a user that exists already: :class:`LedgerRejected` with status 409."""
        body: dict[str, Any] = {"userId": user_id, "rights": [r.to_json() for r in rights]}
        if primary_party:
            body["primaryParty"] = primary_party
        await self._call("POST", "/v1/user/create", body)

    async def user_rights(self, user_id: str) -> list[UserRight]:
        """``POST /v1/user/rights``: the user's rights."""
        rights = await self._call("POST", "/v1/user/rights", {"userId": user_id})
        return [UserRight.from_json(r) for r in rights]

    async def grant_user_rights(self, user_id: str, rights: Sequence[UserRight]) -> list[UserRight]:
        """``POST /v1/user/rights/grant``: the rights the user did not have yet."""
        body = {"userId": user_id, "rights": [r.to_json() for r in rights]}
        granted = await self._call("POST", "/v1/user/rights/grant", body)
        return [UserRight.from_json(r) for r in granted or ()]

    async def revoke_user_rights(self, user_id: str, rights: Sequence[UserRight]) -> list[UserRight]:
        """``POST /v1/user/rights/revoke``: the rights the user had."""
        body = {"userId": user_id, "rights": [r.to_json() for r in rights]}
        revoked = await self._call("POST", "/v1/user/rights/revoke", body)
        return [UserRight.from_json(r) for r in revoked or ()]

    # -- commands --------------------------------------------------------------------------------------------

    @staticmethod
    def _meta(
        act_as: Sequence[str] | None, read_as: Sequence[str] | None, command_id: str | None
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {"commandId": command_id or uuid.uuid4().hex}
        if act_as:
            meta["actAs"] = list(act_as)
        if read_as:
            meta["readAs"] = list(read_as)
        return meta

    async def create(
        self,
        template_id: str,
        payload: dict[str, Any],
        *,
        act_as: Sequence[str] | None = None,
        read_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ActiveContract:
        body = {
            "templateId": template_id,
            "payload": payload,
            "meta": self._meta(act_as, read_as, command_id),
        }
        return ActiveContract.from_json(await self._call("POST", "/v1/create", body))

    async def exercise(
        self,
        template_id: str,
        contract_id: str,
        choice: str,
        argument: dict[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        read_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseResult:
        body = {
            "templateId": template_id,
            "contractId": contract_id,
            "choice": choice,
            "argument": argument or {},
            "meta": self._meta(act_as, read_as, command_id),
        }
        return _exercise_result(await self._call("POST", "/v1/exercise", body))

    async def create_and_exercise(
        self,
        template_id: str,
        payload: dict[str, Any],
        choice: str,
        argument: dict[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        read_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseResult:
        body = {
            "templateId": template_id,
            "payload": payload,
            "choice": choice,
            "argument": argument or {},
            "meta": self._meta(act_as, read_as, command_id),
        }
        return _exercise_result(await self._call("POST", "/v1/create-and-exercise", body))

    # -- reads -----------------------------------------------------------------------------------------------

    async def fetch(
        self, contract_id: str, *, template_id: str | None = None, readers: Sequence[str] | None = None
    ) -> ActiveContract | None:
        body: dict[str, Any] = {"contractId": contract_id}
        if template_id:
            body["templateId"] = template_id
        if readers:
            body["readers"] = list(readers)
        result = await self._call("POST", "/v1/fetch", body)
        return None if result is None else ActiveContract.from_json(result)

    async def query(
        self,
        template_ids: Sequence[str],
        query: dict[str, Any] | None = None,
        *,
        readers: Sequence[str] | None = None,
    ) -> list[ActiveContract]:
        body: dict[str, Any] = {"templateIds": list(template_ids)}
        if query:
            body["query"] = query
        if readers:
            body["readers"] = list(readers)
        return [ActiveContract.from_json(c) for c in await self._call("POST", "/v1/query", body)]


def _errors(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return [response.text[:500]]
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str(e) for e in errors] if isinstance(errors, list) else [response.text[:500]]


def _completion_offset(response: httpx.Response) -> str | None:
    """``completion_offset`` from Daml's ``ledgerApiError.details[].ErrorInfoDetail.metadata``, if present."""
    try:
        details = response.json()["ledgerApiError"]["details"]
    except (ValueError, KeyError, TypeError):
        return None
    for detail in details if isinstance(details, list) else ():
        info = detail.get("ErrorInfoDetail") if isinstance(detail, dict) else None
        metadata = info.get("metadata") if isinstance(info, dict) else None
        if isinstance(metadata, dict) and isinstance(metadata.get("completion_offset"), str):
            return str(metadata["completion_offset"])
    return None


def _party(data: dict[str, Any]) -> PartyInfo:
    return PartyInfo(data["identifier"], data.get("displayName") or "", bool(data.get("isLocal", True)))


def _exercise_result(data: dict[str, Any]) -> ExerciseResult:
    created: list[ActiveContract] = []
    archived: list[str] = []
    for event in data.get("events") or ():
        if "created" in event:
            created.append(ActiveContract.from_json(event["created"]))
        elif "archived" in event:
            archived.append(event["archived"]["contractId"])
    return ExerciseResult(data.get("exerciseResult"), tuple(created), tuple(archived))
