"""Running `lso` in this process (typer's CliRunner) against the settings of one test's environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from common.settings import get_settings

Lso = Callable[..., Result]


@pytest.fixture
def lso_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A data directory of its own (SQLite, the account book, the embedded server's files), embedded mode;
    tests change it before calling `lso`."""
    import os

    for name in list(os.environ):
        if name.startswith("LSO_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    env = {"LSO_DATA_DIR": str(tmp_path / "data"), "LSO_LOG_LEVEL": "WARNING", "LSO_XMPP_MODE": "embedded"}
    env["COLUMNS"] = "250"  # error boxes on one line
    yield env
    get_settings.cache_clear()


@pytest.fixture
def lso(lso_env: dict[str, str]) -> Lso:
    """`lso ARGS...` in this process with the variables of ``lso_env``; its result (stdout apart)."""
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None, ok: bool = True) -> Result:
        get_settings.cache_clear()
        result = runner.invoke(app, list(args), env=lso_env, input=stdin)
        get_settings.cache_clear()
        if ok:
            assert result.exit_code == 0, f"lso {' '.join(args)}: {result.output}\n{result.exception!r}"
        return result

    return invoke
