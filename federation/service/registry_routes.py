"""LinkSmart Service Catalog v3 at ``/apis/sr`` (as behind EFPF's API gateway).

Reads need a valid token; ``POST``/``PUT``/``DELETE`` need the ``admin`` role. Errors are
``{"code", "message"}`` as the catalog sends them.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from federation.registry import FilterOp, Service
from federation.service.deps import AdminClaims, Claims, fault_point, state_of
from federation.service.faults import Target
from federation.service.state import REGISTRY_MOUNT

CATALOG_ID = "urn:lso:efpf:service-catalog"
MAX_PER_PAGE = 100

router = APIRouter(
    prefix=REGISTRY_MOUNT, tags=["registry"], dependencies=[Depends(fault_point(Target.REGISTRY))]
)

Page = Annotated[int, Query(ge=1)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
JsonBody = Annotated[Any, Body()]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status_code=status)


def _page(entries: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    first = (page - 1) * per_page
    return {
        "id": CATALOG_ID,
        "description": "EFPF service registry (local federation service)",
        "services": entries[first : first + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(entries),
    }


def _values(document: Any, path: list[str]) -> list[Any]:
    """Every value at ``path``, descending into lists (``apis.protocol`` looks at each API)."""
    if isinstance(document, list):
        return [value for item in document for value in _values(item, path)]
    if not path:
        return [document]
    if isinstance(document, dict) and path[0] in document:
        return _values(document[path[0]], path[1:])
    return []


def _test(op: FilterOp, value: Any, wanted: str) -> bool:
    if isinstance(value, dict | list) or value is None:
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if op is FilterOp.EQUALS:
        return text == wanted
    if op is FilterOp.PREFIX:
        return text.startswith(wanted)
    if op is FilterOp.SUFFIX:
        return text.endswith(wanted)
    return wanted in text


@router.get("")
@router.get("/")
async def list_services(request: Request, _: Claims, page: Page = 1, per_page: PerPage = MAX_PER_PAGE) -> Any:
    return _page(state_of(request).registry.live(), page, per_page)


@router.get("/{path}/{op}/{value:path}")
async def filter_services(
    request: Request,
    path: str,
    op: str,
    value: str,
    _: Claims,
    page: Page = 1,
    per_page: PerPage = MAX_PER_PAGE,
) -> Any:
    try:
        operator = FilterOp(op)
    except ValueError:
        return _error(400, f"unknown filter operator {op!r}; use {', '.join(o.value for o in FilterOp)}")
    steps = path.split(".")
    matching = [
        entry
        for entry in state_of(request).registry.live()
        if any(_test(operator, found, value) for found in _values(entry, steps))
    ]
    return _page(matching, page, per_page)


@router.get("/{service_id}")
async def get_service(request: Request, service_id: str, _: Claims) -> Any:
    entry = next((e for e in state_of(request).registry.live() if e["id"] == service_id), None)
    return entry if entry is not None else _error(404, f"service {service_id!r} is not registered")


def _service(body: Any, service_id: str | None = None) -> Service | JSONResponse:
    if not isinstance(body, dict):
        return _error(400, "the body must be a service description (JSON object)")
    if service_id is not None:
        if body.get("id") not in (None, "", service_id):
            return _error(
                400, f"the id in the body ({body.get('id')!r}) differs from the path ({service_id!r})"
            )
        body = {**body, "id": service_id}
    try:
        service = Service.model_validate(body)
    except ValidationError as exc:
        return _error(400, f"invalid service description: {exc.errors(include_url=False)[:3]}")
    if not service.type:
        return _error(400, "a service description needs a 'type'")
    return service


@router.post("", status_code=201)
@router.post("/", status_code=201)
async def create_service(request: Request, body: JsonBody, _: AdminClaims) -> Any:
    parsed = _service(body)
    if isinstance(parsed, JSONResponse):
        return parsed
    registry = state_of(request).registry
    if parsed.id and parsed.id in registry.services:
        return _error(409, f"service {parsed.id!r} exists; PUT replaces it")
    if not parsed.id:
        parsed = parsed.model_copy(update={"id": f"urn:uuid:{uuid.uuid4()}"})
    stored, _created = registry.put(parsed)
    return JSONResponse(stored, status_code=201, headers={"Location": f"{REGISTRY_MOUNT}/{stored['id']}"})


@router.put("/{service_id}")
async def put_service(request: Request, service_id: str, body: JsonBody, _: AdminClaims) -> Any:
    parsed = _service(body, service_id)
    if isinstance(parsed, JSONResponse):
        return parsed
    stored, created = state_of(request).registry.put(parsed)
    return JSONResponse(stored, status_code=201 if created else 200)


@router.delete("/{service_id}")
async def delete_service(request: Request, service_id: str, _: AdminClaims) -> Any:
    registry = state_of(request).registry
    if registry.services.pop(service_id, None) is None:
        return _error(404, f"service {service_id!r} is not registered")
    return JSONResponse(None, status_code=200)
