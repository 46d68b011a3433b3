"""Ledger time (wall and static, ``ledger.engine.clock``) and Canton-style party ids in the engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledger import samples
from ledger.engine import CreateCommand, EmbeddedLedger, PartyExists, TemplateId, ValidationError
from ledger.engine.clock import LedgerClock
from ledger.engine.party_ids import participant_fingerprint
from ledger.engine.templates import MODULE


async def test_static_time_moves_only_forward_from_the_current_time() -> None:
    clock = LedgerClock("static")
    start = clock.now()
    assert abs(start - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.now() == start  # does not follow the wall clock
    with pytest.raises(ValidationError, match="is not the ledger time"):
        await clock.set_time(start - timedelta(seconds=1), start + timedelta(days=1))
    with pytest.raises(ValidationError, match="is before the ledger time"):
        await clock.set_time(start, start - timedelta(days=1))
    moved = await clock.set_time(start, start + timedelta(days=3))
    assert clock.now() == moved == start + timedelta(days=3)


async def test_wall_time_cannot_be_set() -> None:
    clock = LedgerClock("wall")
    with pytest.raises(ValidationError, match="only be set when the ledger runs with static time"):
        await clock.set_time(clock.now(), clock.now() + timedelta(days=1))
    with pytest.raises(ValueError, match="neither 'wall' nor 'static'"):
        LedgerClock("sundial")  # type: ignore[arg-type]


async def test_transactions_take_the_static_ledger_time(tmp_path: Path) -> None:
    ledger = await EmbeddedLedger.open(f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", time_mode="static")
    try:
        for party in samples.PARTIES:
            await ledger.allocate_party(party)
        now = ledger.clock.now()
        target = now + timedelta(days=2, hours=3)
        await ledger.clock.set_time(now, target)
        order = CreateCommand(TemplateId("", MODULE, "CustomerOrder"), samples.customer_order())
        tx = await ledger.submit("t1", "t", [samples.CUSTOMER], [order])
        assert tx.effective_at.startswith(target.strftime("%Y-%m-%dT%H:%M:%S"))
    finally:
        await ledger.close()


async def test_canton_party_ids_carry_the_participant_fingerprint(tmp_path: Path) -> None:
    ledger = await EmbeddedLedger.open(
        f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", ledger_id="fp-ledger", party_ids="canton"
    )
    try:
        alice = await ledger.allocate_party("alice", "Alice")
        fingerprint = participant_fingerprint("fp-ledger")
        assert alice.party == f"alice::{fingerprint}" and alice.display_name == "Alice"
        assert len(fingerprint) == 68 and fingerprint.startswith("1220")
        with pytest.raises(PartyExists):
            await ledger.allocate_party("alice")
        anonymous = await ledger.allocate_party()
        assert anonymous.party.startswith("party-") and anonymous.party.endswith(f"::{fingerprint}")
        assert (await ledger.ensure_party(alice.party)).party == alice.party  # an exact id stays exact
    finally:
        await ledger.close()
