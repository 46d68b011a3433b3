"""Request ids: taken from a well-formed ``X-Request-ID`` header or made up, echoed in the response,
readable anywhere while the request runs (for logs and problem details)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current: ContextVar[str | None] = ContextVar("lso_gateway_request_id", default=None)


def new_request_id(offered: str | None) -> str:
    """The client's id when it is short and plain, else a fresh one (never echo arbitrary text)."""
    if offered is not None and _WELL_FORMED.match(offered):
        return offered
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _current.get()


def set_request_id(request_id: str | None) -> object:
    return _current.set(request_id)


def reset_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
