"""A page of a list resource, and the query parameters that choose it."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE = 200

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="items per page")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]


class Page(BaseModel, Generic[T]):
    """``items`` from ``offset`` on; ``next_offset`` is where the next page starts (null: last page)."""

    items: list[T]
    limit: int = Field(ge=1, le=MAX_PAGE)
    offset: int = Field(ge=0)
    next_offset: int | None = None

    @classmethod
    def of(cls, fetched: list[T], limit: int, offset: int) -> Page[T]:
        """From up to ``limit + 1`` fetched items (one more than the page tells whether a next one exists)."""
        more = len(fetched) > limit
        return cls(
            items=fetched[:limit], limit=limit, offset=offset, next_offset=offset + limit if more else None
        )
