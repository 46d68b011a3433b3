"""The JSON messages a stream sends (Daml 2.x JSON API v1, "Streaming API")::

{"events": [...]}                             # a block of the initial active contract set
{"events": [...], "offset": "..."}            # a transaction's events (archived first, then created)
{"events": [], "offset": "..." | null}        # the live marker; later, when idle, the heartbeat
{"warnings": {"unknownTemplateIds": [...]}}   # first, if some template ids did not resolve
{"errors": ["..."], "status": 400}            # then the stream ends
"""

from __future__ import annotations

import json
from typing import Any

from ledger.engine import format_offset

JsonDict = dict[str, Any]

#: Daml's wording for a second request message on one connection.
MULTIPLE_REQUESTS = "Multiple requests over the same WebSocket connection are not allowed."


class StreamError(Exception):
    """A problem reported to the client as an ``{"errors": [...], "status": ...}`` frame; the stream ends."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def offset_text(offset: int) -> str | None:
    """An offset on the wire; ``None`` for the ledger begin (Daml sends ``null`` there)."""
    return format_offset(offset) or None


def events(events: list[JsonDict], offset: int | None = None) -> JsonDict:
    """A block of events; ``offset`` None leaves the key out (blocks of the initial active contract set)."""
    if offset is None:
        return {"events": events}
    return {"events": events, "offset": offset_text(offset)}


def warnings(unknown_template_ids: list[str]) -> JsonDict:
    return {"warnings": {"unknownTemplateIds": unknown_template_ids}}


def error(status: int, *messages: str) -> JsonDict:
    return {"errors": list(messages), "status": status}


def dumps(frame: JsonDict) -> str:
    return json.dumps(frame, separators=(",", ":"))
