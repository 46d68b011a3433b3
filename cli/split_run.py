"""``lso run`` over processes (``LSO_RUN_PROCESSES=split``, the default): the agents and the gateway each in a
supervised child process of their own.

1. This process upgrades and seeds the database and writes the XMPP account and binding of every agent the
   platform runs (the gateway's too: the embedded XMPP server takes only the accounts in the book when it
   starts).
2. ``lso agents run`` starts as a child (the agents, the embedded XMPP server, the local EFPF service and the
   embedded ledger, which it supervises itself); this process waits for its banner.
3. ``lso gateway serve`` starts as a child on the same XMPP server, as an external one, and the same ledger.
4. The banner of both is printed as one. Either child that dies is restarted (:mod:`cli.supervisor`); on
   SIGINT/SIGTERM the gateway stops first, then the agents.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping

from cli.child_platform import READY_LINE
from cli.supervisor import Supervised
from common.settings import Settings, XmppMode

log = logging.getLogger(__name__)

START_TIMEOUT = 180.0
"""Seconds a child is given to print its banner (a first start onboards every supplier on the ledger)."""

GATEWAY_READY = "gateway http"
LEDGER_LINE = re.compile(r"DAML ledger\s+JSON API (?P<json>\S+?), gRPC (?P<grpc>\S+?)(?: |$)")


class Banner:
    """A child's lines up to and including the one that says it is ready."""

    def __init__(self, ready: Callable[[str], bool]) -> None:
        self.ready = ready
        self.lines: list[str] = []

    def __call__(self, raw: bytes) -> list[str] | None:
        line = raw.decode(errors="replace").rstrip()
        self.lines.append(line)
        if self.ready(line):
            lines, self.lines = self.lines, []
            return lines
        return None


def gateway_environment(settings: Settings, agents_banner: list[str]) -> dict[str, str]:
    """The gateway child's variables: the agents' XMPP server as an external one, their ledger's URLs."""
    env = dict(os.environ)
    if settings.xmpp_mode is XmppMode.EMBEDDED:
        env["LSO_XMPP_MODE"] = XmppMode.EXTERNAL.value
    for line in agents_banner:
        found = LEDGER_LINE.search(line)
        if found:
            env["LSO_LEDGER_JSON_API_URL"] = found["json"]
            if found["grpc"] != "None":
                env["LSO_LEDGER_GRPC_URL"] = f"http://{found['grpc']}"
    return env


def joined_banner(agents: list[str], gateway: list[str], pids: Mapping[str, int | None]) -> str:
    """One banner: the agents' (without its last line), the gateway's URLs, the processes, the last line."""
    url = next((line.split()[1] for line in gateway if line.startswith(GATEWAY_READY)), "")
    body = [line for line in agents if not line.startswith(READY_LINE)]
    demo = next((i for i, line in enumerate(body) if line.lstrip().startswith("demo ")), len(body))
    urls = [f"  gateway       {url}", f"  API docs      {url}/docs", f"  web app       {url}/app/"]
    processes = ", ".join(f"{name} (pid {pid})" for name, pid in pids.items())
    lines = [*body[:demo], *urls, f"  processes     {processes}, each restarted if it dies", *body[demo:]]
    return "\n".join([*lines, "Press Ctrl+C to stop."])


def _lso(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


async def prepare(settings: Settings) -> None:
    """The database upgraded and seeded; the account and binding of every agent of both children."""
    from cli.launcher import prepare_agents, prepare_database
    from gateway.demo import seed_demo_database
    from store.database import Database

    url = await prepare_database(settings)
    await seed_demo_database(url, xmpp_domain=settings.xmpp_domain)
    db = await Database.open(url)
    try:
        await prepare_agents(settings, db, actor="lso run", agents=True, gateway=True)
    finally:
        await db.close()


async def run_split(settings: Settings, announce: Callable[[str], None]) -> None:
    """``lso run`` with the agents and the gateway in supervised child processes, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await prepare(settings)
    agents_env = dict(os.environ)
    agents = Supervised(
        "the agents (lso agents run)",
        _lso("agents", "run"),
        lambda: agents_env,
        Banner(lambda line: line.startswith(READY_LINE)),
        start_timeout=START_TIMEOUT,
    )
    gateway_env: dict[str, str] = {}
    gateway = Supervised(
        "the gateway (lso gateway serve)",
        _lso("gateway", "serve"),
        lambda: gateway_env,
        Banner(lambda line: line.startswith(GATEWAY_READY)),
        start_timeout=START_TIMEOUT,
    )
    try:
        agents_banner = await agents.start()
        gateway_env.update(gateway_environment(settings, agents_banner))
        gateway_banner = await gateway.start()
        if not any("agents bridge connected" in line for line in gateway_banner):
            log.warning("the gateway serves without the agents: %s", gateway_banner[-1])
        announce(joined_banner(agents_banner, gateway_banner, {"agents": agents.pid, "gateway": gateway.pid}))
        await stop.wait()
        log.info("stopping")
    finally:
        await gateway.stop()
        await agents.stop()
