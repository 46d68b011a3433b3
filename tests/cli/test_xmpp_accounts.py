"""`lso xmpp add-account | remove-account | accounts | show-password | init-accounts`: the admin's accounts,
in the account book and on the server (the session's embedded pyjabber, its real data files)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from spade.agent import AuthenticationFailure

from agents.runtime.accounts.pyjabber_credentials import password_matches
from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings
from store.database import Database
from store.enums import PolicyKind, UserRole
from store.records import NewUser
from tests.cli.conftest import Lso

ALL = {"ping", "matchmaker", "suppliers", "manufacturer", "customers", "console"}


def _book(env: dict[str, str]) -> dict[str, dict[str, str]]:
    path = Path(env["LSO_DATA_DIR"]) / "xmpp-accounts.json"
    accounts: dict[str, dict[str, str]] = json.loads(path.read_text())["accounts"]
    return accounts


def _stored_hash(settings: Settings, node: str) -> str | None:
    with sqlite3.connect(settings.data_dir / "xmpp" / "pyjabber.db") as db:
        row = db.execute("SELECT hash_pwd FROM credentials WHERE jid = ?", (node,)).fetchone()
    return None if row is None else str(row[0])


@pytest.fixture
def on_pyjabber(pyjabber_settings: Settings, lso_env: dict[str, str]) -> Settings:
    """`lso` pointed at the session's embedded server (running in this process): its data directory."""
    lso_env.update(
        LSO_DATA_DIR=str(pyjabber_settings.data_dir),
        LSO_XMPP_PORT=str(pyjabber_settings.xmpp_port),
        LSO_XMPP_S2S_PORT=str(pyjabber_settings.xmpp_s2s_port),
    )
    return pyjabber_settings


async def test_add_account_creates_it_in_the_book_and_on_the_embedded_server(
    lso: Lso, lso_env: dict[str, str], on_pyjabber: Settings
) -> None:
    node = f"acme-{uuid.uuid4().hex[:8]}"
    added = await asyncio.to_thread(lso, "xmpp", "add-account", node)
    assert f"{node}@localhost: password set in the account book" in added.stdout
    assert "account created" in added.stdout and "embedded XMPP server" in added.stdout
    password = _book(lso_env)[node]["password"]
    assert password not in added.output
    assert len(password) >= 40
    stored = _stored_hash(on_pyjabber, node)
    assert stored is not None and stored != password and password_matches(stored, password)
    book = Path(lso_env["LSO_DATA_DIR"]) / "xmpp-accounts.json"
    assert stat.S_IMODE(book.stat().st_mode) == 0o600
    assert "add-account (by " in _book(lso_env)[node]["created_by"]

    agent = PlatformAgent(node, on_pyjabber)
    await agent.start()
    await agent.stop()

    removed = await asyncio.to_thread(lso, "xmpp", "remove-account", node)
    assert "removed from the account book" in removed.stdout
    assert "account removed from the embedded XMPP server" in removed.stdout
    assert _stored_hash(on_pyjabber, node) is None and node not in _book(lso_env)
    again = PlatformAgent(node, on_pyjabber, password=password)
    with pytest.raises((ConnectionError, AuthenticationFailure)):
        await again.start()
    await again.stop()


async def test_a_password_read_from_stdin_is_the_accounts(
    lso: Lso, lso_env: dict[str, str], on_pyjabber: Settings
) -> None:
    node = f"stdin-{uuid.uuid4().hex[:8]}"
    chosen = "a long chosen password 42"
    await asyncio.to_thread(lso, "xmpp", "add-account", f"{node}@localhost", "--password-stdin", stdin=chosen)
    assert _book(lso_env)[node]["password"] == chosen
    stored = _stored_hash(on_pyjabber, node)
    assert stored is not None and password_matches(stored, chosen)
    shown = await asyncio.to_thread(lso, "xmpp", "show-password", node)
    assert shown.stdout == f"{chosen}\n"
    await asyncio.to_thread(lso, "xmpp", "remove-account", node)


def test_a_short_or_odd_password_from_stdin_is_refused(lso: Lso, lso_env: dict[str, str]) -> None:
    assert lso("xmpp", "add-account", "x", "--password-stdin", stdin="short", ok=False).exit_code == 1
    odd = lso("xmpp", "add-account", "x", "--password-stdin", stdin="long enough\tbut a tab", ok=False)
    assert odd.exit_code == 1
    assert not (Path(lso_env["LSO_DATA_DIR"]) / "xmpp-accounts.json").exists()


def test_an_account_of_another_domain_is_refused(lso: Lso) -> None:
    refused = lso("xmpp", "add-account", "someone@elsewhere.example", ok=False)
    assert refused.exit_code == 2 and "not an account of the XMPP domain" in refused.output


def test_on_an_external_server_it_says_what_the_admin_must_do(lso: Lso, lso_env: dict[str, str]) -> None:
    lso_env["LSO_XMPP_MODE"] = "external"
    added = lso("xmpp", "add-account", "acme")
    assert "must create the account acme@localhost there" in added.stdout
    assert "lso xmpp show-password acme" in added.stdout
    assert "acme" in _book(lso_env)
    assert not (Path(lso_env["LSO_DATA_DIR"]) / "xmpp").exists(), "nothing of an embedded server"
    removed = lso("xmpp", "remove-account", "acme")
    assert "must delete the account acme@localhost there" in removed.stdout


def test_accounts_lists_names_and_dates_never_passwords(lso: Lso, lso_env: dict[str, str]) -> None:
    lso_env["LSO_XMPP_PASSWORDS"] = json.dumps({"given": "a configured password"})
    lso("xmpp", "add-account", "acme")
    listed = lso("xmpp", "accounts")
    lines = [line for line in listed.stdout.splitlines() if not line.startswith("#")]
    created = _book(lso_env)["acme"]["created_at"]
    assert lines == [f"acme@localhost\t{created}", "given@localhost\tLSO_XMPP_PASSWORDS"]
    assert _book(lso_env)["acme"]["password"] not in listed.output
    assert "a configured password" not in listed.output


def test_show_password_of_an_unknown_account_fails_clearly(lso: Lso) -> None:
    missing = lso("xmpp", "show-password", "nobody", ok=False)
    assert missing.exit_code == 1
    assert "no password for the XMPP account nobody@localhost" in missing.stderr


async def _manufacturers(url: str) -> None:
    """Two more manufacturer policies: one the platform runs, one owned by a customer (never run)."""
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            maker = await repos.users.add(
                NewUser(email="m@x.org", display_name="M", role=UserRole.MANUFACTURER, password_hash="x")
            )
            customer = await repos.users.add(
                NewUser(email="c@x.org", display_name="C", role=UserRole.CUSTOMER, password_hash="x")
            )
            await repos.policies.put("acme@localhost", PolicyKind.MANUFACTURER, {}, owner_user_id=maker.id)
            await repos.policies.put(
                "rogue@localhost", PolicyKind.MANUFACTURER, {}, owner_user_id=customer.id
            )
    finally:
        await db.close()


def test_init_accounts_makes_every_account_lso_run_runs_and_the_prosody_file(
    lso: Lso, lso_env: dict[str, str], tmp_path: Path
) -> None:
    data = Path(lso_env["LSO_DATA_DIR"])
    data.mkdir(parents=True)
    asyncio.run(_manufacturers(f"sqlite+aiosqlite:///{data / 'lso.db'}"))
    tsv = tmp_path / "prosody" / "accounts.tsv"
    done = lso("xmpp", "init-accounts", "--prosody-accounts", str(tsv))
    book = _book(lso_env)
    assert set(book) == ALL | {"acme"}
    assert "rogue" not in done.stdout
    lines = dict(line.split("\t") for line in tsv.read_text().splitlines())
    assert lines == {node: entry["password"] for node, entry in book.items()}
    assert stat.S_IMODE(tsv.stat().st_mode) == 0o600
    for entry in book.values():
        assert entry["password"] not in done.output

    again = lso("xmpp", "init-accounts", "--prosody-accounts", str(tsv), "--mode", "640")
    assert _book(lso_env) == book, "the passwords stay"
    assert stat.S_IMODE(tsv.stat().st_mode) == 0o640
    assert "7 accounts" in again.stdout


def test_init_accounts_on_an_external_server_says_who_creates_them(lso: Lso, lso_env: dict[str, str]) -> None:
    lso_env["LSO_XMPP_MODE"] = "external"
    done = lso("xmpp", "init-accounts")
    assert set(_book(lso_env)) == ALL
    assert "its admin creates these accounts there" in done.stdout


def test_the_demo_seed_owner_is_counted_before_the_seed_ran(lso: Lso, lso_env: dict[str, str]) -> None:
    lso("xmpp", "init-accounts")
    assert "manufacturer" in _book(lso_env)


def test_retired_settings_are_named_with_what_replaces_them(lso: Lso, lso_env: dict[str, str]) -> None:
    lso_env["LSO_XMPP_PASSWORD"] = "old-shared-secret"
    lso_env["LSO_XMPP_AUTO_REGISTER"] = "true"
    shown = lso("xmpp", "accounts")
    assert "LSO_XMPP_PASSWORD is set but ignored now" in shown.stderr
    assert "LSO_XMPP_AUTO_REGISTER is set but ignored now" in shown.stderr
    assert "lso xmpp add-account" in shown.stderr
    assert "old-shared-secret" not in shown.output


def test_a_retired_setting_in_the_env_file_is_named_too(lso: Lso, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("export LSO_XMPP_AUTO_REGISTER=true\n")
    shown = lso("xmpp", "accounts")
    assert "LSO_XMPP_AUTO_REGISTER is set but ignored now" in shown.stderr
