"""The account book: one random password per account, kept 0600, shared safely between processes."""

from __future__ import annotations

import json
import logging
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from agents.runtime.accounts.book import AccountBook, AccountBookError, AccountMissing, node_of


def book(tmp_path: Path, **configured: str) -> AccountBook:
    return AccountBook(
        tmp_path / "accounts.json", "lso.test", {k: SecretStr(v) for k, v in configured.items()}
    )


def test_a_new_account_gets_a_strong_random_password_kept_private(tmp_path: Path) -> None:
    accounts = book(tmp_path)
    first, created = accounts.create("ping")
    other, _ = accounts.create("matchmaker")
    assert created
    assert len(first) >= 40 and first != other
    assert accounts.password("ping@lso.test") == first
    assert stat.S_IMODE((tmp_path / "accounts.json").stat().st_mode) == 0o600
    assert accounts.create("ping") == (first, False)


def test_no_password_is_invented_for_an_account_never_created(tmp_path: Path) -> None:
    accounts = book(tmp_path)
    assert accounts.password("console") is None
    with pytest.raises(AccountMissing, match="lso xmpp add-account console"):
        accounts.require("console")


def test_a_configured_password_wins_and_is_never_written(tmp_path: Path) -> None:
    accounts = book(tmp_path, contract="from-the-vault")
    assert accounts.create("contract") == ("from-the-vault", False)
    assert accounts.require("contract@lso.test") == "from-the-vault"
    assert not (tmp_path / "accounts.json").exists()


def test_a_given_password_resets_and_removal_forgets(tmp_path: Path) -> None:
    accounts = book(tmp_path)
    accounts.create("ping")
    assert accounts.create("ping", "chosen") == ("chosen", True)
    assert accounts.remove("ping")
    assert not accounts.remove("ping")
    assert accounts.password("ping") is None


def test_names_of_another_domain_or_malformed_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an account of the XMPP domain"):
        node_of("ping@elsewhere.example", "lso.test")
    for bad in ("", "a b", "x'y", "@lso.test"):
        with pytest.raises(ValueError):
            node_of(bad, "lso.test")
    assert node_of("Ping@LSO.test/res", "lso.test") == "ping"


def test_a_book_of_another_domain_or_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"format": "lso-xmpp-accounts/1", "domain": "other", "accounts": {}}))
    with pytest.raises(AccountBookError, match="other"):
        book(tmp_path).password("ping")
    path.write_text("{not json")
    with pytest.raises(AccountBookError, match="not JSON"):
        book(tmp_path).password("ping")


def test_a_book_readable_by_others_is_made_private(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    accounts = book(tmp_path)
    accounts.create("ping")
    (tmp_path / "accounts.json").chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert accounts.password("ping")
    assert "readable by others" in caplog.text
    assert stat.S_IMODE((tmp_path / "accounts.json").stat().st_mode) == 0o600


def _create(arguments: tuple[str, int]) -> str:
    directory, index = arguments
    return AccountBook(Path(directory) / "accounts.json", "lso.test").create(f"agent-{index}")[0]


def test_processes_creating_accounts_at_once_lose_none(tmp_path: Path) -> None:
    with ProcessPoolExecutor(4) as pool:
        passwords = list(pool.map(_create, [(str(tmp_path), i) for i in range(24)]))
    stored = book(tmp_path).accounts()
    assert stored == {f"agent-{i}": passwords[i] for i in range(24)}
