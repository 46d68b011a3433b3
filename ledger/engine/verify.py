"""Verification of a stored ledger (``lso ledger verify``): the hash chain of the log, and the contracts table
(the active contract set the engine serves) against the contracts the log creates and archives.

The log is replayed page by page: every created contract, with its template, arguments, signatories,
observers, creating offset and time, and the offset of the transaction that archives it. Every row of
``ledger_contracts`` must be exactly that (an edited argument, an archived contract marked active again, a
deleted or an extra row is reported with its contract id), and an active keyed contract's row must carry the
``key_hash`` its arguments give. Each entry's recorded ACS digest must be the replayed set's. Memory: the
active contracts in full, a digest per archived contract.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ledger.engine.chain import GENESIS_HASH, ChainBroken, acs_digest, check_entry, next_acs_digest
from ledger.engine.model import Contract, CreatedEvent, ExercisedEvent, Transaction
from ledger.engine.storage import Storage, canonical_json, contract_from_row
from ledger.engine.templates import MODEL, Model

#: Problems listed in a report at most (the count is always exact).
MAX_PROBLEMS = 50


@dataclass
class VerifyReport:
    transactions: int = 0
    active_contracts: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def _digest(c: Contract) -> str:
    return hashlib.sha256(canonical_json(_fields(c)).encode()).hexdigest()


def _fields(c: Contract) -> dict[str, Any]:
    return {
        "template_id": str(c.template_id),
        "payload": c.payload,
        "signatories": list(c.signatories),
        "observers": list(c.observers),
        "created_offset": c.created_offset,
        "created_at": c.created_at,
    }


def _differences(table: Contract, log: Contract) -> list[str]:
    stored, derived = _fields(table), _fields(log)
    out: list[str] = []
    for name in derived:
        if name == "payload":
            for arg in sorted(set(stored["payload"]) | set(derived["payload"])):
                have, want = stored["payload"].get(arg), derived["payload"].get(arg)
                if have != want:
                    out.append(
                        f"argument {arg!r} is {json.dumps(have)} in the table, {json.dumps(want)} in the log"
                    )
        elif stored[name] != derived[name]:
            out.append(
                f"{name} is {json.dumps(stored[name])} in the table, {json.dumps(derived[name])} in the log"
            )
    return out


@dataclass
class _Replay:
    """The contracts the log creates: active ones in full, archived ones as (digest, created, archived)."""

    active: dict[str, Contract] = field(default_factory=dict)
    archived: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    digest: str = field(default_factory=lambda: acs_digest(()))

    def apply(self, tx: Transaction) -> None:
        """Apply ``tx``; its recorded ACS digest (if any) must be the replayed set's."""
        created: list[Contract] = []
        archived: list[Contract] = []
        for event in tx.events:
            if isinstance(event, CreatedEvent):
                contract = Contract(
                    contract_id=event.contract_id,
                    template_id=event.template_id,
                    payload=event.payload,
                    signatories=event.signatories,
                    observers=event.observers,
                    created_offset=tx.offset,
                    created_at=tx.effective_at,
                )
                self.active[event.contract_id] = contract
                created.append(contract)
            elif isinstance(event, ExercisedEvent) and event.consuming:
                gone = self.active.pop(event.contract_id, None)
                if gone is not None:
                    self.archived[event.contract_id] = (_digest(gone), gone.created_offset, tx.offset)
                    archived.append(gone)
        self.digest = next_acs_digest(self.digest, created, archived)
        if tx.acs_digest and tx.acs_digest != self.digest:
            raise ChainBroken(f"log entry {tx.offset} records an active contract set its events do not give")


async def _replay(storage: Storage, report: VerifyReport) -> _Replay | None:
    replay = _Replay()
    prev = GENESIS_HASH
    async for offset, _, body, prev_hash, hash_ in storage.iter_log_rows():
        try:
            parsed = check_entry(report.transactions + 1, prev, (offset, body, prev_hash, hash_))
        except ChainBroken as exc:
            report.add(f"hash chain: {exc}")
            return None
        report.transactions += 1
        prev = hash_
        try:
            replay.apply(Transaction.from_body(parsed, prev_hash, hash_))
        except ChainBroken as exc:
            report.add(f"log: {exc}")
    return replay


async def _check_contracts(storage: Storage, replay: _Replay, model: Model, report: VerifyReport) -> None:
    seen: set[str] = set()
    async for row in storage.iter_contract_rows():
        cid = row.contract_id
        seen.add(cid)
        try:
            stored = contract_from_row(row)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            report.add(f"contract {cid}: unreadable row ({exc})")
            continue
        if cid in replay.active:
            if row.archived_offset is not None:
                report.add(
                    f"contract {cid}: archived in the table (offset {row.archived_offset}) "
                    "but active in the log"
                )
            for difference in _differences(stored, replay.active[cid]):
                report.add(f"contract {cid}: {difference}")
            if row.archived_offset is None and "key_hash" in row._fields:
                expected = _expected_key_hash(replay.active[cid], model)
                if row.key_hash != expected:
                    report.add(
                        f"contract {cid}: its contract key (key_hash) is not the one its arguments give"
                    )
        elif cid in replay.archived:
            digest, _, archived_at = replay.archived[cid]
            if row.archived_offset is None:
                report.add(
                    f"contract {cid}: active in the table but archived by the log at offset {archived_at}"
                )
            elif row.archived_offset != archived_at:
                report.add(
                    f"contract {cid}: archived at offset {row.archived_offset} in the table, "
                    f"at {archived_at} in the log"
                )
            if _digest(stored) != digest:
                report.add(f"contract {cid}: the archived contract's row differs from the log")
        else:
            state = "active" if row.archived_offset is None else "archived"
            report.add(f"contract {cid}: {state} row in the table that no transaction of the log creates")
    for cid, contract in replay.active.items():
        if cid not in seen:
            report.add(
                f"contract {cid}: active in the log (created at offset {contract.created_offset}) "
                "but missing from the table"
            )
    for cid, (_, created, archived_at) in replay.archived.items():
        if cid not in seen:
            report.add(
                f"contract {cid}: created at offset {created} and archived at {archived_at} by the log "
                "but missing from the table"
            )


def _expected_key_hash(contract: Contract, model: Model) -> str | None:
    """The ``key_hash`` the row of an active contract must carry (None: its template has no key)."""
    from ledger.engine import keys

    try:
        tdef = model.template(contract.template_id.module_name, contract.template_id.entity_name)
    except KeyError:
        return None
    key = keys.key_of(tdef, contract.payload)
    return None if key is None else keys.global_key(contract.template_id.qualified_name, key)


async def verify_store(storage: Storage, model: Model = MODEL) -> VerifyReport:
    """Verify the hash chain and the active contract set of ``storage``; see the module docstring."""
    report = VerifyReport()
    replay = await _replay(storage, report)
    if replay is None:
        return report
    report.active_contracts = len(replay.active)
    await _check_contracts(storage, replay, model, report)
    return report
