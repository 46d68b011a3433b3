"""A supervised child is restarted when it dies, with backoff, every exit logged with its cause; the embedded
ledger `lso run` starts comes back on the same port with the same contracts after a SIGKILL."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from cli.ledger_process import embedded_ledger
from cli.supervisor import Backoff, NotReady, Supervised, exit_cause

FAST = Backoff(first=0.05, most=0.2, settled=60.0)


def child(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def environ() -> dict[str, str]:
    return dict(os.environ)


SERVES = child("import time; print('ready', flush=True); time.sleep(60)")


async def until(condition: object, seconds: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < give_up, "the condition did not hold in time"
        await asyncio.sleep(0.02)


def test_exit_causes_are_words() -> None:
    assert exit_cause(-signal.SIGKILL) == "killed by SIGKILL"
    assert exit_cause(3) == "exited with code 3"
    assert exit_cause(-200) == "killed by signal 200"


def test_backoff_doubles_up_to_its_most() -> None:
    backoff = Backoff(first=1.0, most=5.0)
    assert [backoff.delay(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


async def test_a_killed_child_is_restarted_and_its_death_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cli.supervisor")
    restarted: list[str] = []
    supervised = Supervised(
        "the test child",
        SERVES,
        environ,
        bytes.decode,
        backoff=FAST,
        on_restart=restarted.append,
    )
    assert await supervised.start() == "ready\n"
    first = supervised.pid
    assert first is not None
    try:
        os.kill(first, signal.SIGKILL)
        await until(lambda: supervised.restarts == 1 and supervised.pid is not None)
        assert supervised.pid != first
        assert restarted == ["ready\n"]
        assert f"the test child (pid {first}) killed by SIGKILL; restarting it in 0.1 s" in caplog.text
    finally:
        await supervised.stop()
    assert supervised.pid is None, "stop ends the child"


async def test_a_child_that_keeps_dying_waits_longer_each_time(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cli.supervisor")
    dies = child("import sys; print('ready', flush=True); sys.exit(3)")
    supervised = Supervised("the failing child", dies, environ, bytes.decode, backoff=FAST)
    await supervised.start()
    try:
        await until(lambda: supervised.restarts >= 3)
    finally:
        await supervised.stop()
    delays = [
        r.getMessage().rsplit(" in ", 1)[1] for r in caplog.records if "restarting it" in r.getMessage()
    ]
    assert delays[:3] == ["0.1 s", "0.1 s", "0.2 s"]
    assert "exited with code 3" in caplog.text


async def test_a_child_that_never_gets_ready_is_not_started() -> None:
    silent = child("import time; time.sleep(60)")
    supervised = Supervised("the silent child", silent, environ, bytes.decode, start_timeout=0.5)
    with pytest.raises(NotReady, match="not ready within"):
        await supervised.start()
    assert supervised.pid is None
    early = child("import sys; sys.exit(2)")
    supervised = Supervised("the early child", early, environ, bytes.decode)
    with pytest.raises(NotReady, match="exited with code 2 before it was ready"):
        await supervised.start()


async def test_the_embedded_ledger_comes_back_on_its_port_with_its_contracts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ledger.identities.tokens import SignedUserTokens

    caplog.set_level(logging.INFO, logger="cli.supervisor")
    for name in list(os.environ):
        if name.startswith("LSO_LEDGER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LSO_LEDGER_DATA_DIR", str(tmp_path / "ledger"))
    monkeypatch.setenv("LSO_LEDGER_JSON_API_PORT", "0")
    monkeypatch.setenv("LSO_LEDGER_GRPC_ENABLED", "false")
    secret = "t" * 43
    token = await SignedUserTokens(secret, lifetime=600).token("lso-operator")
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        embedded_ledger(secret, "lso-operator", backoff=FAST) as endpoints,
        httpx.AsyncClient(base_url=endpoints.json_api, headers=headers, timeout=10) as http,
    ):
        allocated = await http.post("/v1/parties/allocate", json={"identifierHint": "Survivor"})
        assert allocated.status_code == 200, allocated.text
        party = allocated.json()["result"]["identifier"]
        os.kill(endpoints.pid, signal.SIGKILL)

        async def parties() -> list[str]:
            while True:
                try:
                    answer = await http.get("/v1/parties")
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                return [p["identifier"] for p in answer.json()["result"]]

        assert party in await asyncio.wait_for(parties(), 60)
    assert "the embedded ledger (pid" in caplog.text and "killed by SIGKILL" in caplog.text
