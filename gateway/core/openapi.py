"""The gateway's OpenAPI document: every error documented as RFC 9457 problem details, and the
security schemes (the bearer JWT, HTTP Basic on the login route)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.core.problems import MEDIA_TYPE, Problem

REF_TEMPLATE = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def problem_content() -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": PROBLEM_REF}}


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template=REF_TEMPLATE)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}


def _document_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code, response in responses.items():
        if code == "422" or (code[:1] in ("4", "5") and not response.get("content")):
            response["content"] = problem_content()
            if code == "422":
                response["description"] = "Validation error: the problem lists every bad field."
    responses.setdefault(
        "default", {"description": "An error, as RFC 9457 problem details.", "content": problem_content()}
    )


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    components: dict[str, Any] = document.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    security: dict[str, Any] = components.setdefault("securitySchemes", {})
    security.setdefault(
        "HTTPBasic",
        {"type": "http", "scheme": "basic", "description": "E-mail and password, for POST /auth/login."},
    )
    security.setdefault(
        "OAuth2",
        {
            "type": "oauth2",
            "description": "The token endpoint (RFC 6749); send the token as a bearer token.",
            "flows": {
                "password": {"tokenUrl": "/auth/token", "scopes": {}},
                "clientCredentials": {"tokenUrl": "/auth/token", "scopes": {}},
            },
        },
    )
    for path_item in document.get("paths", {}).values():
        for method in _METHODS:
            operation = path_item.get(method)
            if operation is not None:
                _document_errors(operation)
    return document


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` by :func:`build_openapi` (computed once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
