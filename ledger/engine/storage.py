"""Durable state of the embedded ledger: its own SQLAlchemy tables (metadata separate from ``store/``).

Each committed transaction is written in ONE database transaction (log entry, contract rows, archive marks,
deduplication entry), so a crash never leaves half of it. SQLite runs in WAL mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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
)
commands_table = Table(
    "ledger_commands",
    metadata,
    Column("dedup_key", String(1024), primary_key=True),
    Column("offset", Integer, nullable=False),
)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass
class LoadedState:
    ledger_id: str | None
    parties: list[PartyDetails]
    packages: dict[str, tuple[PackageInfo, bytes]]
    log: list[Transaction]
    active: list[Contract]
    archived: set[str]
    commands: dict[str, int]


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
            log = [
                Transaction.from_body(json.loads(r.body), r.prev_hash, r.hash)
                for r in await conn.execute(select(log_table).order_by(log_table.c.offset))
            ]
            active: list[Contract] = []
            archived: set[str] = set()
            for r in await conn.execute(select(contracts_table).order_by(contracts_table.c.created_offset)):
                if r.archived_offset is not None:
                    archived.add(r.contract_id)
                    continue
                pkg, module, entity = r.template_id.split(":")
                active.append(
                    Contract(
                        contract_id=r.contract_id,
                        template_id=TemplateId(pkg, module, entity),
                        payload=json.loads(r.payload),
                        signatories=tuple(json.loads(r.signatories)),
                        observers=tuple(json.loads(r.observers)),
                        created_offset=r.created_offset,
                        created_at=r.created_at,
                    )
                )
            commands = {r.dedup_key: r.offset for r in await conn.execute(select(commands_table))}
        return LoadedState(ledger_id, parties, packages, log, active, archived, commands)

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
    ) -> None:
        """Write a transaction and its effects atomically."""
        async with self.engine.begin() as conn:
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
            await conn.execute(commands_table.insert().values(dedup_key=dedup_key, offset=tx.offset))

    async def log_rows(self) -> list[tuple[int, str, str, str]]:
        """(offset, body, prev_hash, hash) of every log entry, in order, as stored."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(
                    log_table.c.offset, log_table.c.body, log_table.c.prev_hash, log_table.c.hash
                ).order_by(log_table.c.offset)
            )
            return [(r[0], r[1], r[2], r[3]) for r in rows]
