"""Base of the records repositories return, and JSON helpers for the JSON columns."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import to_jsonable_python


def jsonable(value: Any) -> Any:
    """Plain JSON data from ontology models, Decimals, dates, enums... (what a JSON column can hold)."""
    return to_jsonable_python(value)


#: Any JSON value; pydantic models, Decimals and datetimes given here are converted to JSON data.
Json = Annotated[Any, BeforeValidator(jsonable)]
#: A JSON object (same conversion).
JsonObject = Annotated[dict[str, Any], BeforeValidator(jsonable)]
#: A JSON array (same conversion).
JsonList = Annotated[list[Any], BeforeValidator(jsonable)]


class Record(BaseModel):
    """An immutable snapshot of stored data; safe to keep after the session is gone."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


class NewRecord(BaseModel):
    """Input of an ``add``: what the caller provides (ids and timestamps may be generated)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
