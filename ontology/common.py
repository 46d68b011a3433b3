"""Small content types every protocol uses: reasons for refuse/failure/not-understood, pings."""

from __future__ import annotations

from pydantic import Field

from ontology.codec import Content, register


@register
class Reason(Content):
    """Why an agent refuses, fails, cancels or did not understand."""

    reason: str = Field(min_length=1, max_length=2000)
    detail: str | None = Field(default=None, max_length=10000)


@register
class Done(Content):
    """An action finished with no result worth sending (FIPA inform-done)."""

    action: str = Field(min_length=1, max_length=200)


@register
class Ping(Content):
    """Liveness request any platform agent answers with :class:`Pong`."""

    note: str = Field(default="", max_length=2000)


@register
class Pong(Content):
    note: str = Field(default="", max_length=2000)
    agent: str = Field(min_length=1)
