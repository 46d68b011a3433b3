"""Content codec of ACL messages: every content is an ontology model encoded as JSON.

The JSON envelope names the ontology and its version, so a receiver can refuse content from
another ontology (``not-understood``) instead of guessing.

    {"ontology": "lot-size-one", "version": "1.0", "type": "CallForProposals", "data": {...}}

A message's content is usually decoded more than once (by the conversation machine, then by the
agent acting on it), so :func:`decode` keeps the newest ``DECODED_KEPT`` models that are settled: the
same text always gives an equal model, and nobody can change it (frozen, every field given in the
text, so no default drawn from a clock or a random id, and nothing mutable inside). Those are handed
out again for the same text, after the same checks of the expected type.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

ONTOLOGY_NAME = "lot-size-one"
ONTOLOGY_VERSION = "1.0"


class ContentError(ValueError):
    """The content of a message does not parse, or does not match the ontology."""


class Content(BaseModel):
    """Base class of every model that may travel as the content of an ACL message."""

    model_config = ConfigDict(extra="forbid")

    content_type: ClassVar[str] = ""


_REGISTRY: dict[str, type[Content]] = {}

C = TypeVar("C", bound=type[Content])


def register(cls: C) -> C:
    """Class decorator: make a model encodable as ACL content under its class name."""
    name = cls.__name__
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"content type {name!r} is already registered by {existing.__module__}")
    cls.content_type = name
    _REGISTRY[name] = cls
    return cls


def registered_types() -> dict[str, type[Content]]:
    return dict(_REGISTRY)


def encode(model: Content) -> str:
    name = type(model).content_type
    if not name or _REGISTRY.get(name) is not type(model):
        raise ContentError(f"{type(model).__name__} is not a registered content type")
    envelope = {
        "ontology": ONTOLOGY_NAME,
        "version": ONTOLOGY_VERSION,
        "type": name,
        "data": model.model_dump(mode="json"),
    }
    return _ENCODER.encode(envelope)


_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
"""``json.dumps(..., separators=(",", ":"), sort_keys=True)`` without making an encoder per call."""


T = TypeVar("T", bound=Content)


def decode(
    text: str | bytes, expected: type[T] | tuple[type[T], ...] | None = None, *, remember: bool = True
) -> T:
    """Parse content; raise :class:`ContentError` with a reason a peer can read.

    Settled (immutable) content up to ``DECODED_TEXT_MAX`` characters is remembered for the next decode of
    the same text, unless ``remember`` is false (content from a sender not yet known to be entitled to it:
    what it sends must not stay in memory)."""
    known = _DECODED.get(text)
    if known is not None:
        if expected is not None:
            _check_expected(type(known), expected)
        return known  # type: ignore[return-value]
    try:
        envelope: Any = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(f"content is not JSON: {exc}") from exc
    if not isinstance(envelope, dict):
        raise ContentError("content is not a JSON object")
    if envelope.get("ontology") != ONTOLOGY_NAME:
        raise ContentError(f"unknown ontology {envelope.get('ontology')!r}; expected {ONTOLOGY_NAME!r}")
    version = envelope.get("version")
    if not isinstance(version, str) or version.split(".")[0] != ONTOLOGY_VERSION.split(".")[0]:
        raise ContentError(f"unsupported ontology version {version!r}; expected {ONTOLOGY_VERSION}")
    type_name = envelope.get("type")
    cls = _REGISTRY.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise ContentError(f"unknown content type {type_name!r}")
    if expected is not None:
        _check_expected(cls, expected)
    try:
        model = cls.model_validate(envelope.get("data"))
    except ValidationError as exc:
        raise ContentError(f"content does not match {type_name}: {exc.errors(include_url=False)}") from exc
    if remember and len(text) <= DECODED_TEXT_MAX and _settled(model):
        if len(_DECODED) >= DECODED_KEPT:
            _DECODED.pop(next(iter(_DECODED), text), None)
        _DECODED[text] = model
    return model  # type: ignore[return-value]


def problems(exc: ValidationError) -> str:
    """Each problem of ``exc`` as ``field.path: message``, in one line."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def _check_expected(cls: type[Content], expected: type[Content] | tuple[type[Content], ...]) -> None:
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if not issubclass(cls, allowed):
        names = ", ".join(a.__name__ for a in allowed)
        raise ContentError(f"content type {cls.content_type!r} is not expected here (expected {names})")


DECODED_KEPT = 512
DECODED_TEXT_MAX = 16_384
_DECODED: dict[str | bytes, Content] = {}
_IMMUTABLE = (str, bytes, int, float, Decimal, date, datetime, time, timedelta, UUID, Enum, type(None))
_SCALAR, _CONTAINER, _MUTABLE = -1, -2, -3


def _settled(value: object) -> bool:
    """Whether ``value`` is immutable and fully given: a scalar, a frozen model with every field
    set (none left to its default) and settled values, or a tuple or frozenset of settled values."""
    kind = _kinds.get(type(value))
    if kind is None:
        kind = _kinds[type(value)] = _kind_of(type(value))
    if kind == _SCALAR:
        return True
    if kind >= 0:
        assert isinstance(value, BaseModel)
        return len(value.model_fields_set) == kind and all(map(_settled, value.__dict__.values()))
    if kind == _CONTAINER:
        return all(map(_settled, value))  # type: ignore[call-overload]
    return False


def _kind_of(cls: type) -> int:
    if issubclass(cls, _IMMUTABLE):
        return _SCALAR
    if issubclass(cls, BaseModel):
        return len(cls.model_fields) if cls.model_config.get("frozen") else _MUTABLE
    if issubclass(cls, tuple | frozenset):
        return _CONTAINER
    return _MUTABLE


_kinds: dict[type, int] = {}
"""Per type: ``_SCALAR``, ``_CONTAINER``, ``_MUTABLE``, or the number of fields of a frozen model."""
