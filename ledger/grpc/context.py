"""What every Ledger API service shares: the engine, the converter, token checks and error mapping."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from ledger.engine.errors import DamlCodedError, LedgerError
from ledger.engine.ledger import EmbeddedLedger
from ledger.engine.users import UserStore
from ledger.grpc.auth import OPEN, AuthError, Claims, TokenVerifier, UnknownUser
from ledger.grpc.convert import Converter

PARTICIPANT_ID = "lso-embedded-participant"

R = TypeVar("R")


class Abort(Exception):
    """Ends a call with a gRPC status (raised by helpers; turned into ``context.abort`` at the boundary)."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def abort(code: grpc.StatusCode, message: str) -> NoReturn:
    raise Abort(code, message)


def _status(error: LedgerError) -> grpc.StatusCode:
    code: grpc.StatusCode = getattr(grpc.StatusCode, error.grpc_status, grpc.StatusCode.INTERNAL)
    return code


@dataclass
class LedgerContext:
    engine: EmbeddedLedger
    convert: Converter
    verifier: TokenVerifier | None = None
    users: UserStore | None = None
    """The participant's users (UserManagementService), given by ``start_grpc_server``."""

    def claims(self, context: grpc.aio.ServicerContext) -> Claims:
        """The caller's verified claims (all rights when the server has no verifier)."""
        if self.verifier is None:
            return OPEN
        token = None
        for key, value in context.invocation_metadata() or ():
            if key.lower() == "authorization" and isinstance(value, str):
                scheme, _, rest = value.partition(" ")
                if scheme.lower() == "bearer" and rest.strip():
                    token = rest.strip()
        if token is None:
            abort(grpc.StatusCode.UNAUTHENTICATED, "missing 'authorization: Bearer <token>' metadata")
        try:
            claims = self.verifier.verify(token)
        except UnknownUser as exc:  # Daml: PERMISSION_DENIED, as for a deactivated user
            abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        except AuthError as exc:
            abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
        if claims.ledger_id is not None and claims.ledger_id != self.engine.ledger_id:
            abort(grpc.StatusCode.UNAUTHENTICATED, f"the token is for ledger {claims.ledger_id!r}")
        return claims

    def admin(self, context: grpc.aio.ServicerContext) -> Claims:
        claims = self.claims(context)
        if not claims.is_admin:
            abort(grpc.StatusCode.PERMISSION_DENIED, "this call needs a participant admin token")
        return claims

    def check_ledger_id(self, ledger_id: str) -> None:
        if ledger_id and ledger_id != self.engine.ledger_id:
            abort(grpc.StatusCode.NOT_FOUND, f"ledger id {ledger_id!r} is not {self.engine.ledger_id!r}")


async def _abort_with(context: grpc.aio.ServicerContext, exc: Exception) -> NoReturn:
    if isinstance(exc, Abort):
        await context.abort(exc.code, exc.message)
    elif isinstance(exc, DamlCodedError):
        await context.abort(_status(exc), str(exc), trailing_metadata=rich_status(_status(exc), exc))
    elif isinstance(exc, LedgerError):
        await context.abort(_status(exc), f"{exc.code}: {exc}")
    raise exc


def rich_status(code: grpc.StatusCode, exc: DamlCodedError) -> tuple[tuple[str, bytes], ...]:
    """Daml's rich gRPC error (``grpc-status-details-bin``: google.rpc.Status with an ErrorInfo carrying the
    error code id and its metadata, and a RequestInfo with the correlation id)."""
    info = error_details_pb2.ErrorInfo(
        reason=exc.code,
        metadata={"category": str(exc.category), "definite_answer": "false", **exc.metadata},
    )
    request = error_details_pb2.RequestInfo(request_id=exc.correlation_id)
    details = []
    for message in (info, request):
        packed = any_pb2.Any()
        packed.Pack(message)
        details.append(packed)
    status = status_pb2.Status(code=code.value[0], message=str(exc), details=details)
    return (("grpc-status-details-bin", status.SerializeToString()),)


def unary(
    fn: Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[R]],
) -> Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[R]]:
    """Maps :class:`Abort` and engine errors raised by a unary handler to gRPC statuses."""

    @functools.wraps(fn)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> R:
        try:
            return await fn(self, request, context)
        except (Abort, LedgerError) as exc:
            await _abort_with(context, exc)

    return wrapper


def streaming(
    fn: Callable[[Any, Any, grpc.aio.ServicerContext], AsyncIterator[R]],
) -> Callable[[Any, Any, grpc.aio.ServicerContext], AsyncIterator[R]]:
    """Same as :func:`unary`, for server-streaming handlers."""

    @functools.wraps(fn)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[R]:
        try:
            async for item in fn(self, request, context):
                yield item
        except (Abort, LedgerError) as exc:
            await _abort_with(context, exc)

    return wrapper
