"""Ontology validation failures as request validation errors (422 listing each bad field)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError


def invalid_body(exc: ValidationError, *, field: str | None = None) -> RequestValidationError:
    """The errors of an ontology model built from the body; located in the body (under ``field``)."""
    prefix: tuple[str, ...] = ("body",) if field is None else ("body", field)
    errors: list[dict[str, Any]] = [
        {"loc": (*prefix, *error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False)
    ]
    return RequestValidationError(errors)


def invalid_field(field: str, problems: Iterable[str], kind: str = "value_error") -> RequestValidationError:
    """One or more problems with one field of the body."""
    return RequestValidationError(
        [{"loc": ("body", field), "msg": problem, "type": kind} for problem in problems]
    )
