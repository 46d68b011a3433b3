"""Users of the Ledger API and their rights (Daml 2.x user management), persisted next to the ledger.

A user has an id, an optional primary party, a deactivation flag and annotations; its rights are
``ParticipantAdmin``, ``IdentityProviderAdmin``, ``CanActAs(party)``, ``CanReadAs(party)`` and, only from
the server's configuration, ``CanActAsAnyParty`` (the platform operator's right). Tokens of a user take their
rights from here on every request, so a grant or a revocation holds for the next request.

The store keeps every user in memory (the participant's users are few) and writes each change to its own
tables (``ledger_users``, ``ledger_user_rights``) in one database transaction before the memory changes::

    users = await UserStore.open(ledger.database)   # the ledger's own database; or UserStore.memory()
    await users.create(User("alice", primary_party="Alice"), [Right.act_as("Alice")])
    users.get("alice"); users.rights("alice"); users.page(page_token="", page_size=100)
    await users.grant("alice", [Right.read_as("Bob")]) -> newly granted;  await users.revoke(...)
    await users.update("alice", primary_party="Alicia", is_deactivated=True);  await users.delete("alice")
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ledger.engine.errors import LedgerError, ValidationError

#: The participant administrator every Daml 2.x participant has (Canton creates it at start).
ADMIN_USER = "participant_admin"
#: Daml's ``UserId``: 1 to 128 characters, ASCII letters and digits or one of ``@^$.!`-#+'~_|:``.
USER_ID_RE = re.compile(r"^[a-zA-Z0-9@^$.!`\-#+'~_|:]{1,128}$")
_PARTY_RE = re.compile(r"^[A-Za-z0-9:\-_ ]{1,255}$")
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
MAX_RIGHTS_PER_USER = 1000

ADMIN = "ParticipantAdmin"
IDP_ADMIN = "IdentityProviderAdmin"
ACT_AS = "CanActAs"
READ_AS = "CanReadAs"
ANY_PARTY = "CanActAsAnyParty"
_KINDS = {ADMIN, IDP_ADMIN, ACT_AS, READ_AS, ANY_PARTY}
_PARTY_KINDS = {ACT_AS, READ_AS}


class UserChanges(TypedDict, total=False):
    """The properties :meth:`UserStore.update` changes (None or absent: unchanged)."""

    primary_party: str | None
    is_deactivated: bool | None
    annotations: Mapping[str, str] | None
    resource_version: int | None


class UserNotFound(LedgerError):
    code = "USER_NOT_FOUND"
    grpc_status = "NOT_FOUND"
    http_status = 404


class UserExists(LedgerError):
    code = "USER_ALREADY_EXISTS"
    grpc_status = "ALREADY_EXISTS"
    http_status = 409


class ConcurrentUserUpdate(LedgerError):
    code = "CONCURRENT_USER_UPDATE_DETECTED"
    grpc_status = "FAILED_PRECONDITION"
    http_status = 409


@dataclass(frozen=True, slots=True, order=True)
class Right:
    """One right of a user: ``kind`` is one of the names above; ``party`` is set for CanActAs/CanReadAs."""

    kind: str
    party: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValidationError(f"unknown user right {self.kind!r}")
        if (self.kind in _PARTY_KINDS) != bool(self.party):
            raise ValidationError(
                f"right {self.kind} {'needs' if self.kind in _PARTY_KINDS else 'takes no'} party"
            )
        if self.party and not _PARTY_RE.match(self.party):
            raise ValidationError(f"malformed party {self.party!r} in a user right")

    @classmethod
    def admin(cls) -> Right:
        return cls(ADMIN)

    @classmethod
    def act_as(cls, party: str) -> Right:
        return cls(ACT_AS, party)

    @classmethod
    def read_as(cls, party: str) -> Right:
        return cls(READ_AS, party)


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    primary_party: str = ""
    is_deactivated: bool = False
    annotations: Mapping[str, str] = field(default_factory=dict)
    resource_version: int = 0


def check_user_id(user_id: str) -> str:
    if not USER_ID_RE.match(user_id):
        raise ValidationError(
            f"user id {user_id!r} is not 1-128 characters of ASCII letters, digits and @^$.!`-#+'~_|:"
        )
    return user_id


_metadata = MetaData()
users_table = Table(
    "ledger_users",
    _metadata,
    Column("user_id", String(128), primary_key=True),
    Column("primary_party", String(255), nullable=False),
    Column("is_deactivated", Boolean, nullable=False),
    Column("annotations", Text, nullable=False),
    Column("resource_version", Integer, nullable=False),
)
rights_table = Table(
    "ledger_user_rights",
    _metadata,
    Column("user_id", String(128), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("party", String(255), primary_key=True),
)


class UserStore:
    """The participant's users; ``engine`` None keeps them in memory only (tests, embedded use)."""

    def __init__(self, engine: AsyncEngine | None) -> None:
        self._engine = engine
        self._users: dict[str, User] = {}
        self._rights: dict[str, set[Right]] = {}
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, engine: AsyncEngine) -> UserStore:
        """The users stored in the ledger's database ``engine`` (tables created if missing; the engine stays
        the ledger's), with the participant admin."""
        store = cls(engine)
        async with engine.begin() as conn:
            await conn.run_sync(_metadata.create_all)
        await store._load()
        await store.ensure(ADMIN_USER, [Right.admin()])
        return store

    @classmethod
    def memory(cls) -> UserStore:
        """Users in memory only, with the participant admin."""
        store = cls(None)
        store._users[ADMIN_USER] = User(ADMIN_USER, resource_version=1)
        store._rights[ADMIN_USER] = {Right.admin()}
        return store

    async def _load(self) -> None:
        assert self._engine is not None
        async with self._engine.connect() as conn:
            for r in await conn.execute(select(users_table)):
                self._users[r.user_id] = User(
                    r.user_id,
                    r.primary_party,
                    bool(r.is_deactivated),
                    json.loads(r.annotations),
                    r.resource_version,
                )
                self._rights[r.user_id] = set()
            for r in await conn.execute(select(rights_table)):
                if r.user_id in self._rights:
                    self._rights[r.user_id].add(Right(r.kind, r.party))

    # -- reads (from memory) ---------------------------------------------------------------------------------

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._users

    def find(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def get(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise UserNotFound(f"user {user_id!r} not found")
        return user

    def rights(self, user_id: str) -> list[Right]:
        self.get(user_id)
        return sorted(self._rights[user_id])

    def user_ids(self) -> list[str]:
        return sorted(self._users)

    def page(self, page_token: str = "", page_size: int = 0) -> tuple[list[User], str]:
        """Users ordered by id after ``page_token`` (the last id of the previous page), at most ``page_size``
        (0: the default); the next page's token, "" after the last page."""
        if page_size < 0:
            raise ValidationError("page_size must not be negative")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        ids = [u for u in sorted(self._users) if u > page_token]
        chosen = ids[:size]
        next_token = chosen[-1] if len(ids) > size else ""
        return [self._users[u] for u in chosen], next_token

    # -- writes ----------------------------------------------------------------------------------------------

    async def create(self, user: User, rights: Iterable[Right] = ()) -> User:
        check_user_id(user.user_id)
        wanted = set(rights)
        if len(wanted) > MAX_RIGHTS_PER_USER:
            raise ValidationError(f"a user has at most {MAX_RIGHTS_PER_USER} rights")
        async with self._lock:
            if user.user_id in self._users:
                raise UserExists(f"user {user.user_id!r} already exists")
            created = replace(user, resource_version=1, annotations=dict(user.annotations))
            if self._engine is not None:
                async with self._engine.begin() as conn:
                    await conn.execute(users_table.insert().values(**_row(created)))
                    await _insert_rights(conn, created.user_id, wanted)
            self._users[created.user_id] = created
            self._rights[created.user_id] = wanted
            return created

    async def ensure(self, user_id: str, rights: Iterable[Right], primary_party: str = "") -> User:
        """The user with at least ``rights`` (created if missing): how configured users are seeded."""
        wanted = list(rights)
        if user_id not in self._users:
            try:
                return await self.create(User(user_id, primary_party=primary_party), wanted)
            except UserExists:
                pass
        await self.grant(user_id, wanted)
        return self.get(user_id)

    async def update(
        self,
        user_id: str,
        *,
        primary_party: str | None = None,
        is_deactivated: bool | None = None,
        annotations: Mapping[str, str] | None = None,
        resource_version: int | None = None,
    ) -> User:
        """Change the given properties (None: unchanged); ``resource_version`` if given must be current."""
        async with self._lock:
            current = self.get(user_id)
            if resource_version and resource_version != current.resource_version:
                raise ConcurrentUserUpdate(f"user {user_id!r} was changed meanwhile (resource version)")
            changed = replace(
                current,
                primary_party=current.primary_party if primary_party is None else primary_party,
                is_deactivated=current.is_deactivated if is_deactivated is None else is_deactivated,
                annotations=dict(current.annotations if annotations is None else annotations),
                resource_version=current.resource_version + 1,
            )
            if self._engine is not None:
                async with self._engine.begin() as conn:
                    values = _row(changed)
                    values.pop("user_id")
                    await conn.execute(
                        update(users_table).where(users_table.c.user_id == user_id).values(**values)
                    )
            self._users[user_id] = changed
            return changed

    async def delete(self, user_id: str) -> None:
        async with self._lock:
            self.get(user_id)
            if self._engine is not None:
                async with self._engine.begin() as conn:
                    await conn.execute(delete(rights_table).where(rights_table.c.user_id == user_id))
                    await conn.execute(delete(users_table).where(users_table.c.user_id == user_id))
            del self._users[user_id]
            del self._rights[user_id]

    async def grant(self, user_id: str, rights: Iterable[Right]) -> list[Right]:
        """Add ``rights``; the ones the user did not have yet, in order."""
        async with self._lock:
            self.get(user_id)
            new = sorted(set(rights) - self._rights[user_id])
            if len(self._rights[user_id]) + len(new) > MAX_RIGHTS_PER_USER:
                raise ValidationError(f"a user has at most {MAX_RIGHTS_PER_USER} rights")
            if new and self._engine is not None:
                async with self._engine.begin() as conn:
                    await _insert_rights(conn, user_id, new)
            self._rights[user_id].update(new)
            return new

    async def revoke(self, user_id: str, rights: Iterable[Right]) -> list[Right]:
        """Remove ``rights``; the ones the user had, in order."""
        async with self._lock:
            self.get(user_id)
            gone = sorted(set(rights) & self._rights[user_id])
            if gone and self._engine is not None:
                async with self._engine.begin() as conn:
                    for right in gone:
                        await conn.execute(
                            delete(rights_table).where(
                                (rights_table.c.user_id == user_id)
                                & (rights_table.c.kind == right.kind)
                                & (rights_table.c.party == right.party)
                            )
                        )
            self._rights[user_id].difference_update(gone)
            return gone


def _row(user: User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "primary_party": user.primary_party,
        "is_deactivated": user.is_deactivated,
        "annotations": json.dumps(dict(user.annotations), sort_keys=True),
        "resource_version": user.resource_version,
    }


async def _insert_rights(conn: Any, user_id: str, rights: Iterable[Right]) -> None:
    rows = [{"user_id": user_id, "kind": r.kind, "party": r.party} for r in rights]
    if rows:
        await conn.execute(rights_table.insert(), rows)
