"""Users: registration, look-up, and the failed-login count behind the growing waits of failing clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, literal, or_, select, update

from store.coltypes import UTCDateTime, utcnow
from store.enums import UserRole
from store.errors import ConflictError, NotFoundError
from store.models import UserRow
from store.records import NewUser, UserCredentials, UserRecord, normalise_email
from store.repositories.base import Repository


class UserRepository(Repository):
    async def add(self, new: NewUser) -> UserRecord:
        """Register a user; :class:`ConflictError` if the e-mail address (or id) is taken."""
        stmt = self.insert_ignoring_conflicts(UserRow, {**new.model_dump(), "created_at": utcnow()})
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise ConflictError(f"a user with e-mail {new.email!r} or id {new.id!r} already exists")
        return UserRecord.model_validate(row)

    async def get(self, user_id: str) -> UserRecord | None:
        row = await self.session.get(UserRow, user_id, populate_existing=True)
        return None if row is None else UserRecord.model_validate(row)

    async def require(self, user_id: str) -> UserRecord:
        user = await self.get(user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id!r}")
        return user

    async def get_by_email(self, email: str) -> UserRecord | None:
        row = await self._row_by_email(email)
        return None if row is None else UserRecord.model_validate(row)

    async def credentials(self, email: str) -> UserCredentials | None:
        """What a login check needs, including the password hash."""
        row = await self._row_by_email(email)
        return None if row is None else UserCredentials.model_validate(row)

    async def list_all(
        self, role: UserRole | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[UserRecord]:
        stmt = select(UserRow).order_by(UserRow.created_at, UserRow.id).limit(limit).offset(offset)
        if role is not None:
            stmt = stmt.where(UserRow.role == role)
        return [UserRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def update_profile(self, user_id: str, *, display_name: str) -> UserRecord:
        return UserRecord.model_validate(await self._update(user_id, display_name=display_name))

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._update(user_id, password_hash=password_hash)

    async def record_failed_login(self, user_id: str, *, forget_before: datetime) -> int:
        """Count a failed login atomically and answer the account's count; the failures of an account
        whose last wait ended by ``forget_before`` are forgotten first."""
        forget = literal(forget_before, UTCDateTime)
        quiet = or_(UserRow.locked_until.is_(None), UserRow.locked_until <= forget)
        row = await self._update(
            user_id, failed_login_count=case((quiet, 1), else_=UserRow.failed_login_count + 1)
        )
        return row.failed_login_count

    async def delay_logins(self, user_id: str, until: datetime) -> datetime:
        """Clients failing on this account wait until ``until`` (a later time already set stays); the
        time they wait until."""
        later = or_(UserRow.locked_until.is_(None), UserRow.locked_until < literal(until, UTCDateTime))
        row = await self._update(
            user_id, locked_until=case((later, literal(until, UTCDateTime)), else_=UserRow.locked_until)
        )
        assert row.locked_until is not None
        return row.locked_until

    async def record_successful_login(self, user_id: str) -> None:
        """Forget the account's failed logins."""
        await self._update(user_id, failed_login_count=0, locked_until=None)

    async def _row_by_email(self, email: str) -> UserRow | None:
        stmt = select(UserRow).where(UserRow.email == normalise_email(email))
        return (await self.session.scalars(stmt)).one_or_none()

    async def _update(self, user_id: str, **values: object) -> UserRow:
        stmt = (
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(**values)
            .returning(UserRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise NotFoundError(f"no user {user_id!r}")
        return row
