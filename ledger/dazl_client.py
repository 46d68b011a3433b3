"""A typed async client of the gRPC Ledger API v1 on dazl, for the platform (e.g. the contract agent).

Values come back in the engine's canonical JSON form (``ledger.engine.values``: Numeric and Date/Timestamp as
strings, contract ids as ``str``) whichever ledger client produced them, so the gRPC and the JSON API clients
are interchangeable::

    async with DazlLedgerClient("http://127.0.0.1:6865", act_as=[manufacturer], token=provider) as ledger:
        proposal = await ledger.create("LotSizeOne.Contract:SupplyProposal", terms)
        await ledger.exercise("LotSizeOne.Contract:SupplyProposal", proposal.contract_id, "WithdrawSupply")
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import dazl
import grpc
from dazl.damlast.errors import NameNotFoundError, PackageNotFoundError
from dazl.damlast.lookup import parse_type_con_name
from dazl.ledger import ArchiveEvent, Boundary, CreateEvent
from dazl.ledger.aio import Connection
from dazl.ledger.auth import parse_token

from ledger.engine.errors import ValidationError
from ledger.engine.templates import MODEL, Model, TemplateDef
from ledger.engine.values import normalize, normalize_record

#: A bearer token, or a function (sync or async) returning the current one (called before each request).
TokenProvider = str | Callable[[], str] | Callable[[], Awaitable[str]]


class LedgerClientError(Exception):
    """A Ledger API call failed; ``code`` is the gRPC status name (``""`` for client-side errors)."""

    code = ""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        if code:
            self.code = code


class LedgerUnauthenticated(LedgerClientError):
    code = "UNAUTHENTICATED"


class LedgerPermissionDenied(LedgerClientError):
    code = "PERMISSION_DENIED"


class LedgerNotFound(LedgerClientError):
    code = "NOT_FOUND"


class LedgerInvalidArgument(LedgerClientError):
    code = "INVALID_ARGUMENT"


class LedgerDuplicateCommand(LedgerClientError):
    code = "ALREADY_EXISTS"


class LedgerUnavailable(LedgerClientError):
    code = "UNAVAILABLE"


_BY_STATUS: dict[str, type[LedgerClientError]] = {
    cls.code: cls
    for cls in (
        LedgerUnauthenticated,
        LedgerPermissionDenied,
        LedgerNotFound,
        LedgerInvalidArgument,
        LedgerDuplicateCommand,
        LedgerUnavailable,
    )
}
_BY_STATUS["OUT_OF_RANGE"] = LedgerInvalidArgument
_BY_STATUS["DEADLINE_EXCEEDED"] = LedgerUnavailable


def translate(exc: BaseException) -> LedgerClientError:
    """The typed error for an exception raised by dazl or gRPC."""
    if isinstance(exc, LedgerClientError):
        return exc
    if isinstance(exc, grpc.RpcError):
        status = exc.code()
        name = getattr(status, "name", str(status))
        details = exc.details() if callable(getattr(exc, "details", None)) else str(exc)
        return _BY_STATUS.get(name, LedgerClientError)(str(details), name)
    if isinstance(exc, (NameNotFoundError, PackageNotFoundError, ValidationError, ValueError, TypeError)):
        return LedgerInvalidArgument(str(exc))
    return LedgerClientError(f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class ActiveContract:
    contract_id: str
    template: str
    """``Module:Entity``."""
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExerciseOutcome:
    result: Any
    """The choice's result in engine form (e.g. the id of the contract it created, or ``{}``)."""
    created: list[ActiveContract] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Created:
    contract: ActiveContract


@dataclass(frozen=True, slots=True)
class Archived:
    contract_id: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Everything up to ``offset`` has been delivered: resume a later stream from here."""

    offset: str | None


StreamEvent = Created | Archived | Checkpoint


def _plain(value: Any) -> Any:
    """dazl's Python values (ContractId, Decimal, date, datetime, frozendict) as plain JSON-able values."""
    if isinstance(value, dazl.ContractId):
        return value.value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value
    return value


def _parties(parties: Sequence[str] | None) -> list[dazl.Party] | None:
    return None if parties is None else [dazl.Party(p) for p in parties]


def _template_name(value_type: Any) -> str:
    text = str(value_type)
    parts = text.split(":")
    return ":".join(parts[-2:])


class DazlLedgerClient:
    """One dazl connection to the Ledger API, acting as ``act_as`` (and reading as ``read_as``).

    ``token`` is a bearer token or a function (sync or async) returning one; ``admin=True`` for party
    allocation and DAR uploads. Commands carry the application id Daml expects for the token: a user token's
    (2.x, ``sub``) user id, a 1.x token's ``applicationId``, else ``application_id``. Every failure is raised
    as a :class:`LedgerClientError` subclass."""

    def __init__(
        self,
        url: str,
        *,
        act_as: Sequence[str] = (),
        read_as: Sequence[str] = (),
        admin: bool = False,
        token: TokenProvider | None = None,
        application_id: str | None = "lot-size-one",
        timeout: float = 10.0,
        model: Model = MODEL,
    ) -> None:
        self.url = url
        self.act_as = list(act_as)
        self.read_as = list(read_as)
        self.model = model
        self.application_id = application_id
        kwargs: dict[str, Any] = {"url": url, "admin": admin, "retry_timeout": timeout}
        if self.act_as:
            kwargs["act_as"] = self.act_as
        if self.read_as:
            kwargs["read_as"] = self.read_as
        self._token = token
        if isinstance(token, str):
            kwargs["oauth_token"] = token
        if application_id:
            kwargs["application_name"] = application_id
        self._conn: Connection = dazl.connect(**kwargs)

    async def __aenter__(self) -> DazlLedgerClient:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def open(self) -> None:
        await self._conn.open()

    async def close(self) -> None:
        await self._conn.close()

    # -- helpers ---------------------------------------------------------------------------------------

    async def _current_token(self) -> str | None:
        token = self._token
        if token is None or isinstance(token, str):
            return token
        value = token()
        return await value if inspect.isawaitable(value) else value

    async def _submitter(self) -> dict[str, Any]:
        """``token`` and the application id of the next command (dazl sends a call's ``user_id`` as the
        command's application id): a user token's user (``sub``), a 1.x token's ``applicationId``, else
        :attr:`application_id`."""
        token = await self._current_token()
        application = self.application_id
        if token is not None:
            try:
                parsed = parse_token(token)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.token_version == 2:
                application = parsed.user_id
            elif parsed is not None and parsed.token_version == 1:
                application = parsed.application_name or application
        found: dict[str, Any] = {"token": token} if token is not None else {}
        if application:
            found["user_id"] = application
        return found

    def _template(self, name: str) -> TemplateDef:
        parts = name.split(":")
        module, entity = (parts[-2], parts[-1]) if len(parts) in (2, 3) else ("", name)
        try:
            return self.model.template(module, entity)
        except KeyError:
            raise LedgerInvalidArgument(f"unknown template {name!r}") from None

    def _contract(self, event: CreateEvent) -> ActiveContract:
        name = _template_name(event.contract_id.value_type)
        template = self._template(name)
        payload = normalize_record(_plain(dict(event.payload)), template.fields, self.model, template.entity)
        return ActiveContract(event.contract_id.value, name, payload)

    # -- admin -----------------------------------------------------------------------------------------

    async def allocate_party(self, hint: str | None = None, display_name: str | None = None) -> str:
        try:
            info = await self._conn.allocate_party(
                identifier_hint=hint, display_name=display_name, token=await self._current_token()
            )
        except Exception as exc:
            raise translate(exc) from exc
        return str(info.party)

    async def list_parties(self) -> list[str]:
        try:
            infos = await self._conn.list_known_parties(token=await self._current_token())
        except Exception as exc:
            raise translate(exc) from exc
        return sorted(str(i.party) for i in infos)

    async def upload_dar(self, dar: bytes) -> None:
        try:
            await self._conn.upload_package(dar, token=await self._current_token())
        except Exception as exc:
            raise translate(exc) from exc

    async def package_ids(self) -> set[str]:
        try:
            return {str(p) for p in await self._conn.list_package_ids(token=await self._current_token())}
        except Exception as exc:
            raise translate(exc) from exc

    # -- commands --------------------------------------------------------------------------------------

    async def create(
        self,
        template: str,
        payload: Mapping[str, Any],
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ActiveContract:
        """Create a contract of ``template`` (``Module:Entity``); returns it as the ledger stored it."""
        tdef = self._template(template)
        arguments = normalize_record(dict(payload), tdef.fields, self.model, tdef.entity)
        try:
            event = await self._conn.create(
                f"{tdef.module}:{tdef.entity}",
                arguments,
                act_as=_parties(act_as),
                command_id=command_id,
                **await self._submitter(),
            )
        except Exception as exc:
            raise translate(exc) from exc
        return self._contract(event)

    async def exercise(
        self,
        template: str,
        contract_id: str,
        choice: str,
        argument: Mapping[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseOutcome:
        """Exercise ``choice`` on the contract; returns the choice's result and the contracts it touched."""
        tdef = self._template(template)
        try:
            cdef = tdef.choice(choice)
        except KeyError:
            raise LedgerInvalidArgument(f"{tdef.entity} has no choice {choice!r}") from None
        arg = normalize_record(dict(argument or {}), cdef.argument, self.model, cdef.name)
        cid = dazl.ContractId(parse_type_con_name(f"{tdef.module}:{tdef.entity}"), contract_id)
        try:
            response = await self._conn.exercise(
                cid, choice, arg, act_as=_parties(act_as), command_id=command_id, **await self._submitter()
            )
        except Exception as exc:
            raise translate(exc) from exc
        created = [self._contract(e) for e in response.events if isinstance(e, CreateEvent)]
        archived = [e.contract_id.value for e in response.events if isinstance(e, ArchiveEvent)]
        result = normalize(_plain(response.result), cdef.result, self.model, f"{cdef.name} result")
        return ExerciseOutcome(result, created, archived)

    # -- reads -----------------------------------------------------------------------------------------

    async def query(self, template: str, *, read_as: Sequence[str] | None = None) -> list[ActiveContract]:
        """The active contracts of ``template`` the client's parties are stakeholders of."""
        tdef = self._template(template)
        contracts: list[ActiveContract] = []
        try:
            async with self._conn.query(
                f"{tdef.module}:{tdef.entity}", read_as=_parties(read_as), token=await self._current_token()
            ) as stream:
                async for event in stream.creates():
                    contracts.append(self._contract(event))
        except LedgerClientError:
            raise
        except Exception as exc:
            raise translate(exc) from exc
        return contracts

    async def query_many(
        self,
        templates: Sequence[str],
        *,
        where: Mapping[str, Any] | None = None,
        read_as: Sequence[str] | None = None,
    ) -> list[ActiveContract]:
        """The active contracts of any of ``templates`` the parties see (one ActiveContractsService call),
        those whose payload has every field of ``where`` equal to its value (engine form) only."""
        names = [self._template(t) for t in templates]
        contracts: list[ActiveContract] = []
        try:
            async with self._conn.query_many(
                *[f"{t.module}:{t.entity}" for t in names],
                read_as=_parties(read_as),
                token=await self._current_token(),
            ) as stream:
                async for event in stream.creates():
                    contract = self._contract(event)
                    if all(contract.payload.get(k) == v for k, v in (where or {}).items()):
                        contracts.append(contract)
        except LedgerClientError:
            raise
        except Exception as exc:
            raise translate(exc) from exc
        return contracts

    async def stream_many(
        self, templates: Sequence[str], *, offset: str | None = None, read_as: Sequence[str] | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
        """:meth:`stream` over several templates at once."""
        names = [self._template(t) for t in templates]
        try:
            async with self._conn.stream_many(
                *[f"{t.module}:{t.entity}" for t in names],
                offset=offset,
                read_as=_parties(read_as),
                token=await self._current_token(),
            ) as events:
                async for event in events:
                    if isinstance(event, CreateEvent):
                        yield Created(self._contract(event))
                    elif isinstance(event, ArchiveEvent):
                        yield Archived(event.contract_id.value)
                    elif isinstance(event, Boundary):
                        yield Checkpoint(event.offset)
        except LedgerClientError:
            raise
        except Exception as exc:
            raise translate(exc) from exc

    async def ledger_end(self) -> str:
        try:
            return await self._conn.get_ledger_end(token=await self._current_token())
        except Exception as exc:
            raise translate(exc) from exc

    async def stream(
        self, template: str, *, offset: str | None = None, read_as: Sequence[str] | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
        """The active contracts of ``template`` (when ``offset`` is None), then every later create and archive
        the client's parties see, until the caller stops iterating (close it: ``contextlib.aclosing``).
        ``Checkpoint`` offsets allow resuming."""
        # dazl's stream of one template is its stream_many of that template alone
        async with contextlib.aclosing(
            self.stream_many([template], offset=offset, read_as=read_as)
        ) as events:
            async for event in events:
                yield event
