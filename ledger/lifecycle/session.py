"""What a party's session on the ledger is made of: the calls of one Ledger API client whose token is that
party's user's (:class:`~ledger.commit_dazl.DazlCommitLedger` over gRPC, or
:class:`~ledger.jsonapi_client.JsonApiClient`), and how a component acting for parties finds the session of
one of them (:class:`PartySessions`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ledger.jsonapi_client import ActiveContract, ExerciseResult


class LedgerCalls(Protocol):
    """The Ledger API calls a party's session makes; failures are ``LedgerClientError`` subclasses."""

    async def query(
        self,
        template_ids: Sequence[str],
        query: dict[str, Any] | None = None,
        *,
        readers: Sequence[str] | None = None,
    ) -> list[ActiveContract]: ...

    async def create(
        self,
        template_id: str,
        payload: dict[str, Any],
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ActiveContract: ...

    async def exercise(
        self,
        template_id: str,
        contract_id: str,
        choice: str,
        argument: dict[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseResult: ...

    async def fetch(
        self, contract_id: str, *, template_id: str | None = None, readers: Sequence[str] | None = None
    ) -> ActiveContract | None: ...
