"""API clients (OAuth 2.0 client-credentials grant): registration, look-up, removal."""

from __future__ import annotations

from sqlalchemy import delete, select

from store.coltypes import utcnow
from store.errors import ConflictError, NotFoundError
from store.models.clients import ApiClientRow
from store.models.users import UserRow
from store.records.clients import ApiClientCredentials, ApiClientRecord, NewApiClient
from store.repositories.base import Repository


class ApiClientRepository(Repository):
    async def add(self, new: NewApiClient) -> ApiClientRecord:
        """Register a client; :class:`NotFoundError` without its owner, :class:`ConflictError` if the
        client id is taken."""
        if await self.session.get(UserRow, new.owner_user_id) is None:
            raise NotFoundError(f"no user {new.owner_user_id!r}")
        stmt = self.insert_ignoring_conflicts(ApiClientRow, {**new.model_dump(), "created_at": utcnow()})
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise ConflictError(f"an API client {new.client_id!r} already exists")
        return ApiClientRecord.model_validate(row)

    async def get(self, client_id: str) -> ApiClientRecord | None:
        row = await self.session.get(ApiClientRow, client_id, populate_existing=True)
        return None if row is None else ApiClientRecord.model_validate(row)

    async def credentials(self, client_id: str) -> ApiClientCredentials | None:
        """What a client-credentials check needs, including the secret hash."""
        row = await self.session.get(ApiClientRow, client_id, populate_existing=True)
        return None if row is None else ApiClientCredentials.model_validate(row)

    async def list_all(self, *, limit: int = 100, offset: int = 0) -> list[ApiClientRecord]:
        stmt = (
            select(ApiClientRow)
            .order_by(ApiClientRow.created_at, ApiClientRow.client_id)
            .limit(limit)
            .offset(offset)
        )
        return [ApiClientRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def remove(self, client_id: str) -> None:
        """Delete a client; :class:`NotFoundError` if there is none."""
        result = await self.session.execute(delete(ApiClientRow).where(ApiClientRow.client_id == client_id))
        if int(result.rowcount) == 0:  # type: ignore[attr-defined]
            raise NotFoundError(f"no API client {client_id!r}")
