"""Contract keys on the HTTP JSON API v1 (Daml 2.x): ``POST /v1/exercise`` and ``POST /v1/fetch`` with
``{"templateId": ..., "key": ...}`` instead of ``contractId``.

The key is the JSON API encoding of the template's key record (``{"manufacturer": "M", "orderId": "o-1"}``
for an ``OrderAgreement``). Fetch by key answers ``null`` when no active contract the readers may see has the
key (as for a contract id); exercise by key answers 404 ``CONTRACT_KEY_NOT_FOUND`` then. Created contracts and
query results carry ``key`` (see :func:`ledger.jsonapi.codec.key_field`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from ledger.engine import Contract, EmbeddedLedger, TemplateId, ValidationError
from ledger.engine.errors import ContractKeyNotFound
from ledger.engine.model import ExerciseByKeyCommand

_M = TypeVar("_M", bound=BaseModel)


class _ByKey(BaseModel):
    """The part of a by-key request this module reads (the rest: ``meta``, ``readers``, by the app)."""

    model_config = ConfigDict(extra="allow")

    key: dict[str, Any]


class _ExerciseByKey(_ByKey):
    choice: str = Field(min_length=1)
    argument: dict[str, Any] | None = None


def wants_key(body: dict[str, Any]) -> bool:
    """A by-key request: it names ``key`` and no ``contractId``."""
    return "key" in body and "contractId" not in body


def _parse(model: type[_M], body: dict[str, Any], what: str) -> _M:
    try:
        return model.model_validate(body)
    except PydanticError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValidationError(f"{what}: {problems}") from None


def exercise_by_key_command(body: dict[str, Any], template_id: TemplateId) -> ExerciseByKeyCommand:
    """The engine command of ``POST /v1/exercise`` with ``key`` (``templateId``, ``key``, ``choice``,
    ``argument``)."""
    request = _parse(_ExerciseByKey, body, "exercise by key")
    return ExerciseByKeyCommand(template_id, request.key, request.choice, request.argument or {})


async def fetch_by_key(
    ledger: EmbeddedLedger, body: dict[str, Any], template_id: TemplateId, readers: Iterable[str]
) -> Contract | None:
    """The active contract ``POST /v1/fetch`` with ``key`` names, or None (unused key or hidden contract)."""
    request = _parse(_ByKey, body, "fetch by key")
    try:
        return await ledger.fetch_by_key(template_id, request.key, readers)
    except ContractKeyNotFound:
        return None
