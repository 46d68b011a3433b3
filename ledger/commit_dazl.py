"""One party's ledger client over the gRPC Ledger API with dazl: commands, the active contract set, and the
transaction stream the committer follows to confirm what it committed.

:class:`DazlCommitLedger` offers a :class:`ledger.lifecycle.PartyLedger` the calls it makes (the same ones
:class:`~ledger.jsonapi_client.JsonApiClient` has) and raises the same error family, with the HTTP status the
Daml JSON API gives each gRPC status (the JSON API is a gRPC client, and maps them so): UNAVAILABLE, deadline
and internal errors are :class:`~ledger.jsonapi_client.LedgerUnavailable` (retry later: dazl reconnects);
UNAUTHENTICATED 401 and PERMISSION_DENIED 403 are :class:`~ledger.jsonapi_client.LedgerAuthError`;
ALREADY_EXISTS (a duplicate command id, a duplicate contract key) is 409, NOT_FOUND 404, anything else 400:
:class:`~ledger.jsonapi_client.LedgerRejected`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ledger import dazl_client as dz
from ledger.dazl_client import DazlLedgerClient, TokenProvider
from ledger.jsonapi_client import (
    ActiveContract,
    ExerciseResult,
    LedgerAuthError,
    LedgerClientError,
    LedgerRejected,
    LedgerUnavailable,
)

_UNAVAILABLE = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "RESOURCE_EXHAUSTED", "CANCELLED"}
_STATUS = {
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
}


def json_error(exc: BaseException) -> LedgerClientError:
    """The JSON API client's error for a failure of a dazl call (one raised as such, e.g. by the token
    provider, as it is)."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        if isinstance(cause, LedgerClientError):
            return cause
        chain.append(cause)
        cause = cause.__cause__
    error = dz.translate(exc)
    code = error.code
    transport = not code and any(isinstance(c, (OSError, TimeoutError)) for c in chain)
    if code in _UNAVAILABLE or transport:
        return LedgerUnavailable(503, [f"{code or type(chain[-1]).__name__}: {error}"])
    status = _STATUS.get(code, 400)
    detail = [f"{code}: {error}" if code else str(error)]
    return LedgerAuthError(status, detail) if status in (401, 403) else LedgerRejected(status, detail)


def _json(contract: dz.ActiveContract) -> ActiveContract:
    return ActiveContract(contract.contract_id, contract.template, contract.payload)


class DazlCommitLedger:
    """A :class:`DazlLedgerClient` acting as the parties named per call: with the token of one party's ledger
    user, that party only (the ledger refuses any other)."""

    def __init__(
        self,
        url: str,
        token: TokenProvider | None = None,
        *,
        timeout: float = 10.0,
        application_id: str | None = "lot-size-one",
    ) -> None:
        self.url = url
        self.timeout = timeout
        # dazl's ``admin`` only lets a connection open without fixed parties (they are named per call); what
        # it may do is what the ledger grants the token's user
        self._client = DazlLedgerClient(
            url, token=token, admin=True, timeout=timeout, application_id=application_id
        )

    async def __aenter__(self) -> DazlCommitLedger:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self._client.close()

    async def create(
        self,
        template_id: str,
        payload: dict[str, Any],
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ActiveContract:
        try:
            created = await self._client.create(template_id, payload, act_as=act_as, command_id=command_id)
        except Exception as exc:
            raise json_error(exc) from exc
        return _json(created)

    async def exercise(
        self,
        template_id: str,
        contract_id: str,
        choice: str,
        argument: dict[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseResult:
        try:
            outcome = await self._client.exercise(
                template_id, contract_id, choice, argument, act_as=act_as, command_id=command_id
            )
        except Exception as exc:
            raise json_error(exc) from exc
        return ExerciseResult(
            outcome.result, tuple(_json(c) for c in outcome.created), tuple(outcome.archived)
        )

    async def query(
        self,
        template_ids: Sequence[str],
        query: dict[str, Any] | None = None,
        *,
        readers: Sequence[str] | None = None,
    ) -> list[ActiveContract]:
        """The active contracts of ``template_ids`` whose fields equal ``query``'s (from the ACS)."""
        try:
            found = await self._client.query_many(template_ids, where=query, read_as=readers)
        except Exception as exc:
            raise json_error(exc) from exc
        return [_json(c) for c in found]

    async def fetch(
        self, contract_id: str, *, template_id: str | None = None, readers: Sequence[str] | None = None
    ) -> ActiveContract | None:
        """The active contract ``contract_id`` of ``template_id`` if the readers see it (from the ACS: the
        gRPC Ledger API v1 has no fetch)."""
        if template_id is None:
            raise ValueError("a fetch over gRPC needs the template id")
        for contract in await self.query([template_id], readers=readers):
            if contract.contract_id == contract_id:
                return contract
        return None

    async def ledger_end(self) -> str:
        try:
            return await self._client.ledger_end()
        except Exception as exc:
            raise json_error(exc) from exc

    async def follow(
        self,
        templates: Sequence[str],
        since: str,
        contract_ids: Collection[str],
        *,
        readers: Sequence[str],
        created: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, ActiveContract]:
        """Follow the transaction stream of ``templates`` from offset ``since`` until every contract of
        ``contract_ids`` has been seen created (and not archived since); the contracts as the stream
        delivered them. Raises :class:`LedgerUnavailable` when they are not all seen within the timeout
        (they then are, or are not, in the active contract set the next attempt reads), and
        :class:`LedgerRejected` (409) when one is archived."""
        pending = set(contract_ids)
        seen: dict[str, ActiveContract] = {}
        if not pending:
            return seen
        try:
            async with asyncio.timeout(self.timeout):
                stream = self._client.stream_many(templates, offset=since, read_as=readers)
                async with contextlib.aclosing(stream):
                    async for event in stream:
                        if isinstance(event, dz.Created) and event.contract.contract_id in pending:
                            pending.discard(event.contract.contract_id)
                            seen[event.contract.contract_id] = _json(event.contract)
                        elif isinstance(event, dz.Archived) and event.contract_id in contract_ids:
                            raise LedgerRejected(409, [f"contract {event.contract_id} was archived"])
                        if not pending:
                            return seen
        except TimeoutError:
            raise LedgerUnavailable(
                504, [f"the transaction stream did not show {sorted(pending)} in {self.timeout:g} s"]
            ) from None
        except LedgerClientError:
            raise
        except Exception as exc:
            raise json_error(exc) from exc
        raise LedgerUnavailable(503, ["the transaction stream ended"])
