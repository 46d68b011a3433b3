"""The embedded server's credentials table, written directly: what pyjabber checks a login against."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agents.runtime.accounts.pyjabber_credentials import PyjabberCredentials, hash_password, password_matches


def table(tmp_path: Path) -> PyjabberCredentials:
    path = tmp_path / "pyjabber.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE credentials (id INTEGER PRIMARY KEY, jid VARCHAR NOT NULL, hash_pwd VARCHAR)"
        )
    return PyjabberCredentials(path)


def test_the_hash_is_pyjabbers_pbkdf2_form() -> None:
    stored = hash_password("secret", salt=b"\x01" * 16)
    algorithm, iterations, salt, digest = stored.split("$")
    assert (algorithm, iterations, salt) == ("sha256", "100000", "01" * 16)
    assert len(digest) == 64
    assert password_matches(stored, "secret")
    assert not password_matches(stored, "Secret")
    assert not password_matches("garbage", "secret")


def test_a_missing_database_is_not_ready(tmp_path: Path) -> None:
    assert not PyjabberCredentials(tmp_path / "none.db").ready()


def test_set_creates_resets_and_sync_removes_strangers(tmp_path: Path) -> None:
    credentials = table(tmp_path)
    assert credentials.ready()
    assert credentials.set("ping", "one")
    assert not credentials.set("ping", "one")
    assert credentials.set("ping", "two")
    credentials.set("intruder", "registered-in-band")
    changed, removed = credentials.sync({"ping": "two", "contract": "three"})
    assert changed == ["contract"]
    assert removed == ["intruder"]
    assert credentials.nodes() == ["contract", "ping"]
    with sqlite3.connect(credentials.database) as db:
        (stored,) = db.execute("SELECT hash_pwd FROM credentials WHERE jid = 'ping'").fetchone()
    assert password_matches(stored, "two")
