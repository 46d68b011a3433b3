"""The HTTP JSON API v1 of the embedded ledger (the subset the platform and the DAML docs' examples use).

Envelopes: ``{"status": 200, "result": ...}`` or ``{"status": 4xx, "errors": [...]}``. Endpoints:
``POST /v1/create``, ``/v1/exercise``, ``/v1/create-and-exercise``, ``/v1/fetch``, ``/v1/query``
(``GET /v1/query`` = all visible), ``GET|POST /v1/parties``, ``POST /v1/parties/allocate``,
``GET|POST /v1/packages``, ``GET /v1/packages/{id}``, user management (``/v1/user...``, ``/v1/users``:
:mod:`ledger.jsonapi.users`), ``GET /livez``, ``GET /readyz``; WebSocket streams ``/v1/stream/query`` and
``/v1/stream/fetch`` (:mod:`ledger.jsonapi.streams`, token in the subprotocols).

Every ``/v1`` call needs ``Authorization: Bearer <JWT>``; commands act as ``meta.actAs`` (a subset of the
token's
actAs; default all of them), reads as ``readers`` (a subset of the token's actAs | readAs; default all of
them).
Allocating parties and uploading packages need an admin token.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.engine import (
    Command,
    CreateAndExerciseCommand,
    CreateCommand,
    EmbeddedLedger,
    ExerciseCommand,
    LedgerError,
    TemplateId,
    Transaction,
    ValidationError,
)
from ledger.engine.dedup import period_from_json
from ledger.engine.users import UserStore
from ledger.jsonapi import codec, keys
from ledger.jsonapi.auth import OPEN, AuthError, Claims, TokenVerifier, claims_from_header
from ledger.jsonapi.events import tree_events
from ledger.jsonapi.query import contract_query
from ledger.jsonapi.streams import stream_router
from ledger.jsonapi.users import install_users
from ledger.packages import upload_dar

DEFAULT_APPLICATION_ID = "HTTP-JSON-API-Gateway"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"status": 200, "result": result})


def failure(status: int, *errors: str) -> JSONResponse:
    return JSONResponse({"status": status, "errors": list(errors)}, status_code=status)


def _template_id(value: Any) -> TemplateId:
    if isinstance(value, str):
        return TemplateId.parse(value)
    if isinstance(value, dict) and {"moduleName", "entityName"} <= set(value):
        return TemplateId(
            str(value.get("packageId") or ""), str(value["moduleName"]), str(value["entityName"])
        )
    raise ValidationError(f"templateId {value!r} is not 'packageId:Module:Entity'")


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValidationError(f"{name} must be a party or a list of parties")


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ValidationError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ValidationError("the request body is not a JSON object")
    return body


def create_app(
    ledger: EmbeddedLedger, verifier: TokenVerifier | None, users: UserStore | None = None
) -> FastAPI:
    """The JSON API over ``ledger``; ``verifier`` None serves without authentication (tests only)."""
    app = FastAPI(title="Lot-size-one embedded ledger: HTTP JSON API v1", docs_url=None, redoc_url=None)
    model = ledger.model

    @app.exception_handler(LedgerError)
    async def _ledger_error(_: Request, exc: LedgerError) -> JSONResponse:
        return JSONResponse(exc.json_body(), status_code=exc.http_status)

    @app.exception_handler(AuthError)
    async def _auth_error(_: Request, exc: AuthError) -> JSONResponse:
        return failure(401, str(exc))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return failure(exc.status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return failure(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return failure(400, str(exc))

    def claims(request: Request) -> Claims:
        return claims_from_header(verifier, request.headers.get("authorization"), ledger.ledger_id)

    def act_as(c: Claims, meta: dict[str, Any]) -> tuple[list[str], list[str]]:
        wanted = _strings(meta.get("actAs"), "meta.actAs")
        read_as = _strings(meta.get("readAs"), "meta.readAs")
        if c is OPEN:
            if not wanted:
                raise ValidationError("meta.actAs is required when the ledger runs without authentication")
            return wanted, read_as
        acting = wanted or sorted(c.act_as)
        if not acting:
            raise ApiError(403, "the token allows acting as no party")
        if not c.may_submit(acting, read_as):
            raise ApiError(403, f"the token does not allow acting as {', '.join(acting)}")
        return acting, read_as or sorted(c.read_as)

    async def readers(c: Claims, body: dict[str, Any]) -> list[str]:
        wanted = _strings(body.get("readers"), "readers")
        if c is OPEN:
            return wanted or [p.party for p in await ledger.list_parties()]
        if wanted and not c.may_read(wanted):
            raise ApiError(403, f"the token does not allow reading as {', '.join(wanted)}")
        return wanted or sorted(c.readers)

    def require_admin(c: Claims) -> None:
        if not c.admin:
            raise ApiError(403, "this needs an admin token")

    async def submit(request: Request, body: dict[str, Any], command: Command) -> Transaction:
        c = claims(request)
        meta = body.get("meta") or {}
        if not isinstance(meta, dict):
            raise ValidationError("meta must be an object")
        acting, read_as = act_as(c, meta)
        command_id = str(meta.get("commandId") or uuid.uuid4().hex)
        application_id = c.application_id or DEFAULT_APPLICATION_ID
        return await ledger.submit(
            command_id,
            application_id,
            acting,
            [command],
            read_as=read_as,
            workflow_id=str(meta.get("workflowId") or ""),
            deduplication_period=period_from_json(meta.get("deduplicationPeriod")),
        )

    def exercise_response(tx: Transaction, acting: Sequence[str] | None = None) -> dict[str, Any]:
        results = tx.exercise_results
        return {
            "exerciseResult": results[-1] if results else None,
            "events": tree_events(tx, model, None if acting is None else set(acting)),
            "completionOffset": str(tx.offset),
        }

    @app.get("/livez")
    async def livez() -> Response:
        return Response(status_code=200)

    @app.get("/readyz")
    async def readyz() -> Response:
        return Response("[+] ledger ok\nreadyz check passed\n", media_type="text/plain")

    @app.post("/v1/create")
    async def create(request: Request) -> JSONResponse:
        body = await _body(request)
        command = CreateCommand(_template_id(body.get("templateId")), body.get("payload") or {})
        tx = await submit(request, body, command)
        return ok(codec.created_contract(tx.created[0], model))

    @app.post("/v1/exercise")
    async def exercise(request: Request) -> JSONResponse:
        body = await _body(request)
        if keys.wants_key(body):  # exerciseByKey (ledger/jsonapi/keys.py)
            tx = await submit(
                request, body, keys.exercise_by_key_command(body, _template_id(body.get("templateId")))
            )
            return ok(exercise_response(tx))
        contract_id = body.get("contractId")
        choice = body.get("choice")
        if not isinstance(contract_id, str) or not isinstance(choice, str):
            raise ValidationError("exercise needs contractId and choice")
        argument = body.get("argument") or {}
        command = ExerciseCommand(_template_id(body.get("templateId")), contract_id, choice, argument)
        tx = await submit(request, body, command)
        return ok(exercise_response(tx))

    @app.post("/v1/create-and-exercise")
    async def create_and_exercise(request: Request) -> JSONResponse:
        body = await _body(request)
        choice = body.get("choice")
        if not isinstance(choice, str):
            raise ValidationError("create-and-exercise needs a choice")
        command = CreateAndExerciseCommand(
            _template_id(body.get("templateId")),
            body.get("payload") or {},
            choice,
            body.get("argument") or {},
        )
        tx = await submit(request, body, command)
        return ok(exercise_response(tx))

    @app.post("/v1/fetch")
    async def fetch(request: Request) -> JSONResponse:
        body = await _body(request)
        c = claims(request)
        if keys.wants_key(body):  # fetchByKey (ledger/jsonapi/keys.py)
            found = await keys.fetch_by_key(
                ledger, body, _template_id(body.get("templateId")), await readers(c, body)
            )
            return ok(None if found is None else codec.active_contract(found, model))
        contract_id = body.get("contractId")
        if not isinstance(contract_id, str):
            raise ValidationError("fetch needs a contractId or a templateId and key")
        parties = await readers(c, body)
        contracts, _ = await ledger.active_contracts(parties)
        for contract in contracts:
            if contract.contract_id == contract_id:
                if "templateId" in body:
                    wanted = _template_id(body["templateId"])
                    if wanted.qualified_name != contract.template_id.qualified_name:
                        return ok(None)
                return ok(codec.active_contract(contract, model))
        return ok(None)

    async def query_contracts(c: Claims, body: dict[str, Any]) -> JSONResponse:
        raw_ids = body.get("templateIds")
        if raw_ids is not None and not isinstance(raw_ids, list):
            raise ValidationError("templateIds must be a list")
        requested = None if raw_ids is None else [_template_id(t) for t in raw_ids]
        template_ids, match = contract_query(ledger, requested, body.get("query"))
        contracts, _ = await ledger.active_contracts(await readers(c, body), template_ids)
        return ok([codec.active_contract(contract, model) for contract in contracts if match(contract)])

    @app.post("/v1/query")
    async def query(request: Request) -> JSONResponse:
        body = await _body(request)
        return await query_contracts(claims(request), body)

    @app.get("/v1/query")
    async def query_all(request: Request) -> JSONResponse:
        return await query_contracts(claims(request), {})

    def party_json(p: Any) -> dict[str, Any]:
        return {"identifier": p.party, "displayName": p.display_name, "isLocal": p.is_local}

    @app.get("/v1/parties")
    async def parties(request: Request) -> JSONResponse:
        claims(request)
        return ok([party_json(p) for p in await ledger.list_parties()])

    @app.post("/v1/parties")
    async def some_parties(request: Request) -> JSONResponse:
        claims(request)
        try:
            wanted = await request.json()
        except ValueError:
            raise ValidationError("the request body is not JSON") from None
        found = await ledger.get_parties(_strings(wanted, "parties"))
        return ok([party_json(p) for p in found])

    @app.post("/v1/parties/allocate")
    async def allocate(request: Request) -> JSONResponse:
        require_admin(claims(request))
        body = await _body(request)
        hint = body.get("identifierHint")
        name = body.get("displayName")
        details = await ledger.allocate_party(
            hint if isinstance(hint, str) and hint else None, name if isinstance(name, str) else None
        )
        return ok(party_json(details))

    @app.get("/v1/packages")
    async def packages(request: Request) -> JSONResponse:
        claims(request)
        return ok(await ledger.list_packages())

    @app.get("/v1/packages/{package_id}")
    async def package(request: Request, package_id: str) -> Response:
        claims(request)
        return Response(await ledger.get_package(package_id), media_type="application/octet-stream")

    @app.post("/v1/packages")
    async def upload(request: Request) -> JSONResponse:
        require_admin(claims(request))
        await upload_dar(ledger, await request.body(), source="POST /v1/packages")
        return ok(1)

    app.include_router(stream_router(ledger, verifier))
    install_users(app, ledger, verifier, users)
    return app
