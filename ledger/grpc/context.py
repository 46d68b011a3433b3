"""What every Ledger API service shares: the engine, the converter, token checks and error mapping."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import grpc

from ledger.engine.errors import LedgerError
from ledger.engine.ledger import EmbeddedLedger
from ledger.grpc.auth import OPEN, AuthError, Claims, TokenVerifier
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
    elif isinstance(exc, LedgerError):
        await context.abort(_status(exc), f"{exc.code}: {exc}")
    raise exc


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
