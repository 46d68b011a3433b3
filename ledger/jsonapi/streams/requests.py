"""The request messages of the two streams, validated with pydantic.

``/v1/stream/query``: one query object or a list of them (multiplexed; results name the indices they
matched)::

    {"templateIds": ["Pkg:Module:Entity", ...], "query": {...}, "offset": "..."}     # query, offset optional

``/v1/stream/fetch``: a list of ``{"templateId", "key", "contractIdAtOffset"?}`` (Daml) or, as an extension
of this ledger, ``{"templateId"?, "contractId"}`` (follow one contract until it is archived).

Either may be preceded by a separate ``{"offset": "..."}`` message: resume after that offset (no initial
active contract set).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ledger.engine import TemplateId, parse_offset
from ledger.engine import ValidationError as EngineValidationError
from ledger.jsonapi.streams.frames import StreamError

TemplateRef = str | dict[str, Any]


class QuerySpec(BaseModel):
    """One query of ``/v1/stream/query``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    template_ids: list[TemplateRef] = Field(alias="templateIds")
    query: dict[str, Any] = Field(default_factory=dict)
    offset: str | None = None

    @field_validator("template_ids")
    @classmethod
    def _not_empty(cls, value: list[TemplateRef]) -> list[TemplateRef]:
        if not value:
            raise ValueError("search requires at least one item in 'templateIds'")
        return value

    @field_validator("query", mode="before")
    @classmethod
    def _null_query(cls, value: Any) -> Any:
        return {} if value is None else value


class FetchSpec(BaseModel):
    """One item of ``/v1/stream/fetch``: a contract key (Daml), or a contract id (this ledger's extension)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    template_id: TemplateRef | None = Field(default=None, alias="templateId")
    key: Any = None
    contract_id: str | None = Field(default=None, alias="contractId")
    contract_id_at_offset: str | None = Field(default=None, alias="contractIdAtOffset")

    @property
    def by_key(self) -> bool:
        return "key" in self.model_fields_set

    @property
    def gives_contract_id_at_offset(self) -> bool:
        return "contract_id_at_offset" in self.model_fields_set


_QUERIES = TypeAdapter(QuerySpec | list[QuerySpec])
_FETCHES = TypeAdapter(list[FetchSpec])


def _invalid(exc: ValidationError) -> StreamError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()[:5]
    )
    return StreamError(400, f"invalid request: {problems}")


def parse_queries(message: Any) -> list[QuerySpec]:
    try:
        parsed = _QUERIES.validate_python(message)
    except ValidationError as exc:
        raise _invalid(exc) from None
    queries = parsed if isinstance(parsed, list) else [parsed]
    if not queries:
        raise StreamError(400, "invalid request: at least one query is required")
    return queries


def parse_fetches(message: Any) -> list[FetchSpec]:
    try:
        items = _FETCHES.validate_python(message)
    except ValidationError as exc:
        raise _invalid(exc) from None
    if not items:
        raise StreamError(400, "invalid request: at least one {templateId, key} is required")
    for item in items:
        if item.by_key and item.template_id is None:
            raise StreamError(400, "invalid request: a key needs its templateId")
        if not item.by_key and item.contract_id is None:
            raise StreamError(400, "invalid request: each item needs templateId and key (or a contractId)")
    return items


def offset_prefix(message: Any) -> int | None:
    """The offset of a leading ``{"offset": "..."}`` message, or None if ``message`` is not one."""
    if not isinstance(message, dict) or "offset" not in message:
        return None
    if len(message) > 1:
        raise StreamError(400, "offset must be specified as a leading, separate object message")
    return wire_offset(message["offset"])


def wire_offset(value: Any) -> int:
    if not isinstance(value, str):
        raise StreamError(400, f"an offset must be a string, not {value!r}")
    try:
        return parse_offset(value)
    except EngineValidationError as exc:
        raise StreamError(400, str(exc)) from None


def template_id(ref: TemplateRef) -> TemplateId:
    """A template id as the JSON API accepts it: ``"pkg:Module:Entity"``, ``"Module:Entity"`` or an object."""
    if isinstance(ref, dict):
        if {"moduleName", "entityName"} <= set(ref):
            return TemplateId(str(ref.get("packageId") or ""), str(ref["moduleName"]), str(ref["entityName"]))
        raise StreamError(400, f"templateId {ref!r} is not 'packageId:Module:Entity'")
    try:
        return TemplateId.parse(ref)
    except EngineValidationError as exc:
        raise StreamError(400, str(exc)) from None


def template_text(ref: TemplateRef) -> str:
    """How an unresolved template id is echoed in the ``unknownTemplateIds`` warning."""
    if isinstance(ref, str):
        return ref
    return ":".join(str(ref.get(k) or "") for k in ("packageId", "moduleName", "entityName")).lstrip(":")
