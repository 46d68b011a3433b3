"""Durable state of the embedded ledger: its own SQLAlchemy tables (metadata separate from ``store/``).

Each committed transaction is written in ONE database transaction (log entry, contract rows, archive marks,
deduplication entry), so a crash never leaves half of it. SQLite runs in WAL mode.

Nothing here loads the whole log: it is read in pages by offset range (:meth:`Storage.log_page`), by
transaction id, or row by row for verification (:meth:`Storage.iter_log_rows`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ledger.engine.dedup import DedupEntry
from ledger.engine.keys import KeyRow
from ledger.engine.model import Contract, PackageInfo, PartyDetails, TemplateId, Transaction

metadata = MetaData()

meta_table = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
parties_table = Table(
    "ledger_parties",
    metadata,
    Column("party", String(255), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("is_local", Boolean, nullable=False),
)
packages_table = Table(
    "ledger_packages",
    metadata,
    Column("package_id", String(128), primary_key=True),
    Column("payload", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_at", String(40), nullable=False),
    Column("source", Text, nullable=False),
)
log_table = Table(
    "ledger_log",
    metadata,
    Column("offset", Integer, primary_key=True, autoincrement=False),
    Column("transaction_id", String(128), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
contracts_table = Table(
    "ledger_contracts",
    metadata,
    Column("contract_id", String(256), primary_key=True),
    Column("template_id", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("signatories", Text, nullable=False),
    Column("observers", Text, nullable=False),
    Column("created_offset", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("archived_offset", Integer, nullable=True),
    # the contract's global key (ledger.engine.keys) while it holds it; NULL for unkeyed and transient ones
    Column("key_hash", String(64), nullable=True),
)
dedup_table = Table(
    "ledger_dedup",
    metadata,
    Column("dedup_key", String(1024), primary_key=True),
    Column("offset", Integer, nullable=False),
    Column("transaction_id", String(128), nullable=False),
    Column("recorded_at", Float, nullable=False),
    Index("ix_ledger_dedup_recorded_at", "recorded_at"),
)
#: Before deduplication periods, ``ledger_commands(dedup_key, offset)`` kept every command for ever; its
#: entries are moved to ``ledger_dedup`` once (:meth:`Storage.create`) and the table is emptied.
LEGACY_COMMANDS = "ledger_commands"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass
class LoadedState:
    """What the engine keeps in memory: bounded by parties, packages and the active contract set, never by the
    length of the log."""

    ledger_id: str | None
    parties: list[PartyDetails]
    packages: dict[str, tuple[PackageInfo, bytes]]
    active: list[Contract]
    log_count: int
    last_rows: list[tuple[int, str, str, str]]
    """(offset, body, prev_hash, hash) of the last two log entries, newest first."""


def contract_from_row(r: Any) -> Contract:
    pkg, module, entity = r.template_id.split(":")
    return Contract(
        contract_id=r.contract_id,
        template_id=TemplateId(pkg, module, entity),
        payload=json.loads(r.payload),
        signatories=tuple(json.loads(r.signatories)),
        observers=tuple(json.loads(r.observers)),
        created_offset=r.created_offset,
        created_at=r.created_at,
    )


class Storage:
    """The ledger's tables behind one async engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(url)
        if url.startswith("sqlite"):
            sync: Engine = self.engine.sync_engine
            event.listen(sync, "connect", _sqlite_pragmas)

    async def create(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await add_key_column(conn)
            await self._migrate_legacy_commands(conn)

    @staticmethod
    async def _migrate_legacy_commands(conn: Any) -> None:
        """Move a pre-dedup-period ``ledger_commands`` table's entries into ``ledger_dedup`` (their time: the
        effective time of their transaction), then empty it."""
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        if LEGACY_COMMANDS not in tables:
            return
        legacy = (await conn.execute(text(f'SELECT dedup_key, "offset" FROM {LEGACY_COMMANDS}'))).all()
        for key, offset in legacy:
            row = (
                await conn.execute(
                    select(log_table.c.transaction_id, log_table.c.body).where(log_table.c.offset == offset)
                )
            ).first()
            if row is None:
                continue
            recorded = epoch_seconds(json.loads(row.body)["effective_at"])
            await conn.execute(delete(dedup_table).where(dedup_table.c.dedup_key == key))
            await conn.execute(
                dedup_table.insert().values(
                    dedup_key=key, offset=offset, transaction_id=row.transaction_id, recorded_at=recorded
                )
            )
        await conn.execute(text(f"DELETE FROM {LEGACY_COMMANDS}"))

    async def close(self) -> None:
        await self.engine.dispose()

    async def load(self) -> LoadedState:
        async with self.engine.connect() as conn:
            ledger_id = (
                await conn.execute(select(meta_table.c.value).where(meta_table.c.key == "ledger_id"))
            ).scalar_one_or_none()
            parties = [
                PartyDetails(r.party, r.display_name, bool(r.is_local))
                for r in await conn.execute(select(parties_table))
            ]
            packages = {
                r.package_id: (PackageInfo(r.package_id, r.size, r.uploaded_at, r.source), bytes(r.payload))
                for r in await conn.execute(select(packages_table))
            }
            active = [
                contract_from_row(r)
                for r in await conn.execute(
                    select(contracts_table)
                    .where(contracts_table.c.archived_offset.is_(None))
                    .order_by(contracts_table.c.created_offset, contracts_table.c.contract_id)
                )
            ]
            count = (await conn.execute(select(func.count()).select_from(log_table))).scalar_one()
            last = [
                (r[0], r[1], r[2], r[3])
                for r in await conn.execute(
                    select(log_table.c.offset, log_table.c.body, log_table.c.prev_hash, log_table.c.hash)
                    .order_by(log_table.c.offset.desc())
                    .limit(2)
                )
            ]
        return LoadedState(ledger_id, parties, packages, active, int(count), last)

    async def set_ledger_id(self, ledger_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(meta_table.insert().values(key="ledger_id", value=ledger_id))

    async def add_party(self, party: PartyDetails) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                parties_table.insert().values(
                    party=party.party, display_name=party.display_name, is_local=party.is_local
                )
            )

    async def add_package(self, info: PackageInfo, payload: bytes) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                packages_table.insert().values(
                    package_id=info.package_id,
                    payload=payload,
                    size=info.size,
                    uploaded_at=info.uploaded_at,
                    source=info.source,
                )
            )

    async def commit(
        self,
        tx: Transaction,
        created: list[Contract],
        archived: list[str],
        dedup_key: str,
        recorded_at: float,
        key_hashes: Mapping[str, str] | None = None,
        conn: AsyncConnection | None = None,
    ) -> None:
        """Write a transaction and its effects atomically (its dedup entry replaces an expired one), within
        ``conn``'s database transaction (see :meth:`begin`) or a new one."""
        async with self._transaction(conn) as conn:
            await conn.execute(
                log_table.insert().values(
                    offset=tx.offset,
                    transaction_id=tx.transaction_id,
                    body=canonical_json(tx.body()),
                    prev_hash=tx.prev_hash,
                    hash=tx.hash,
                )
            )
            if created:
                await conn.execute(
                    contracts_table.insert(),
                    [
                        {
                            "contract_id": c.contract_id,
                            "template_id": str(c.template_id),
                            "payload": canonical_json(c.payload),
                            "signatories": canonical_json(list(c.signatories)),
                            "observers": canonical_json(list(c.observers)),
                            "created_offset": c.created_offset,
                            "created_at": c.created_at,
                            "archived_offset": None,
                            "key_hash": (key_hashes or {}).get(c.contract_id),
                        }
                        for c in created
                    ],
                )
            for contract_id in archived:
                await conn.execute(
                    update(contracts_table)
                    .where(contracts_table.c.contract_id == contract_id)
                    .values(archived_offset=tx.offset)
                )
            entry = {"offset": tx.offset, "transaction_id": tx.transaction_id, "recorded_at": recorded_at}
            upsert = (postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(
                dedup_table
            ).values(dedup_key=dedup_key, **entry)
            await conn.execute(upsert.on_conflict_do_update(index_elements=["dedup_key"], set_=entry))

    # -- deduplication -------------------------------------------------------------------------------------

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """One database transaction for a submission: its dedup check and its commit (one connection)."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _transaction(self, conn: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        if conn is not None:
            yield conn
        else:
            async with self.engine.begin() as fresh:
                yield fresh

    async def dedup_entry(self, dedup_key: str, conn: AsyncConnection | None = None) -> DedupEntry | None:
        async with self._transaction(conn) as conn:
            row = (
                await conn.execute(
                    select(
                        dedup_table.c.offset, dedup_table.c.transaction_id, dedup_table.c.recorded_at
                    ).where(dedup_table.c.dedup_key == dedup_key)
                )
            ).first()
        return None if row is None else DedupEntry(row[0], row[1], float(row[2]))

    async def prune_dedup(self, before: float) -> int:
        """Forget dedup entries recorded before ``before`` (epoch seconds); how many were removed."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(dedup_table).where(dedup_table.c.recorded_at < before))
        return int(result.rowcount or 0)

    async def dedup_count(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(dedup_table))).scalar_one())

    # -- the log, read from storage --------------------------------------------------------------------------

    async def log_page(self, after: int, upto: int, limit: int) -> list[Transaction]:
        """Transactions at offsets in ``(after, upto]``, at most ``limit``, in offset order."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(log_table.c.body, log_table.c.prev_hash, log_table.c.hash)
                .where(log_table.c.offset > after, log_table.c.offset <= upto)
                .order_by(log_table.c.offset)
                .limit(limit)
            )
            return [Transaction.from_body(json.loads(r[0]), r[1], r[2]) for r in rows]

    async def transaction_by_id(self, transaction_id: str) -> Transaction | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(log_table.c.body, log_table.c.prev_hash, log_table.c.hash).where(
                        log_table.c.transaction_id == transaction_id
                    )
                )
            ).first()
        return None if row is None else Transaction.from_body(json.loads(row[0]), row[1], row[2])

    async def transaction_at(self, offset: int) -> Transaction | None:
        page = await self.log_page(offset - 1, offset, 1)
        return page[0] if page else None

    async def iter_log_rows(self, page_size: int = 1000) -> AsyncIterator[tuple[int, str, str, str, str]]:
        """(offset, transaction_id, body, prev_hash, hash) of every log entry as stored, in order, page by
        page."""
        after = -1
        while True:
            async with self.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(
                            log_table.c.offset,
                            log_table.c.transaction_id,
                            log_table.c.body,
                            log_table.c.prev_hash,
                            log_table.c.hash,
                        )
                        .where(log_table.c.offset > after)
                        .order_by(log_table.c.offset)
                        .limit(page_size)
                    )
                ).all()
            for r in rows:
                yield (r[0], r[1], r[2], r[3], r[4])
            if len(rows) < page_size:
                return
            after = rows[-1][0]

    async def iter_contract_rows(self, page_size: int = 1000) -> AsyncIterator[Any]:
        """Every row of the contracts table (active and archived), page by page, by contract id."""
        after = ""
        while True:
            async with self.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(contracts_table)
                        .where(contracts_table.c.contract_id > after)
                        .order_by(contracts_table.c.contract_id)
                        .limit(page_size)
                    )
                ).all()
            for r in rows:
                yield r
            if len(rows) < page_size:
                return
            after = rows[-1].contract_id


def epoch_seconds(timestamp: str) -> float:
    """Epoch seconds of a ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` timestamp."""
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


# -- contract keys (ledger.engine.keys) --------------------------------------------------------------------


async def add_key_column(conn: Any) -> None:
    """Give a ``ledger_contracts`` table made before contract keys its ``key_hash`` column (filled when the
    engine opens: :func:`set_key_hashes`)."""
    columns = await conn.run_sync(
        lambda sync: [c["name"] for c in inspect(sync).get_columns("ledger_contracts")]
    )
    if "key_hash" not in columns:
        await conn.execute(text("ALTER TABLE ledger_contracts ADD COLUMN key_hash VARCHAR(64)"))


async def load_keys(storage: Storage) -> list[tuple[str, str]]:
    """``(key_hash, contract_id)`` of every active keyed contract."""
    async with storage.engine.connect() as conn:
        rows = await conn.execute(
            select(contracts_table.c.key_hash, contracts_table.c.contract_id).where(
                contracts_table.c.archived_offset.is_(None), contracts_table.c.key_hash.is_not(None)
            )
        )
        return [(r[0], r[1]) for r in rows]


async def set_key_hashes(storage: Storage, rows: Sequence[KeyRow]) -> None:
    """Store the key of active contracts that have none yet (a ledger written before keys existed)."""
    if rows:
        async with storage.engine.begin() as conn:
            for row in rows:
                await conn.execute(
                    update(contracts_table)
                    .where(contracts_table.c.contract_id == row.contract_id)
                    .values(key_hash=row.key_hash)
                )
