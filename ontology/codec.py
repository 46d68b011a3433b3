"""Content codec of ACL messages: every content is an ontology model encoded as JSON.

The JSON envelope names the ontology and its version, so a receiver can refuse content from
another ontology (``not-understood``) instead of guessing.

    {"ontology": "lot-size-one", "version": "1.0", "type": "CallForProposals", "data": {...}}
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, TypeVar

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
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


T = TypeVar("T", bound=Content)


def decode(text: str | bytes, expected: type[T] | tuple[type[T], ...] | None = None) -> T:
    """Parse content; raise :class:`ContentError` with a reason a peer can read."""
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
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if not issubclass(cls, allowed):
            names = ", ".join(a.__name__ for a in allowed)
            raise ContentError(f"content type {type_name!r} is not expected here (expected {names})")
    try:
        return cls.model_validate(envelope.get("data"))  # type: ignore[return-value]
    except ValidationError as exc:
        raise ContentError(f"content does not match {type_name}: {exc.errors(include_url=False)}") from exc
