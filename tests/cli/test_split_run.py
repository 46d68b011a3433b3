"""`lso run` over processes: the banner of its two children read and joined, the gateway pointed at the
agents' XMPP server and ledger; a gateway killed with SIGKILL is restarted and serves again."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import httpx

from cli.split_run import Banner, gateway_environment, joined_banner
from common.settings import Settings, XmppMode
from tests.lso_platform import lso_run, platform_env

AGENTS = [
    "Lot-size-one platform is running:",
    "  database      sqlite+aiosqlite:////x/lso.db",
    "  XMPP server   embedded pyjabber, 127.0.0.1:5222 (domain localhost)",
    "  agents        ping@localhost, manufacturer@localhost",
    "  DAML ledger   JSON API http://127.0.0.1:7575, gRPC 127.0.0.1:6865 (pid 42)",
    "  demo customer      customer@demo.lso.example / demo-customer-pass",
    "Press Ctrl+C to stop.",
]
GATEWAY = ["gateway http://127.0.0.1:8000 (API docs http://127.0.0.1:8000/docs), agents bridge connected"]


def test_a_banner_is_read_up_to_its_ready_line() -> None:
    banner = Banner(lambda line: line.startswith("Press Ctrl+C"))
    assert [banner(f"{line}\n".encode()) for line in AGENTS[:-1]] == [None] * (len(AGENTS) - 1)
    assert banner(b"Press Ctrl+C to stop.\n") == AGENTS


def test_the_joined_banner_names_the_gateway_and_the_processes_before_the_demo_logins() -> None:
    joined = joined_banner(AGENTS, GATEWAY, {"agents": 11, "gateway": 12}).splitlines()
    assert joined[0] == AGENTS[0] and joined[-1] == "Press Ctrl+C to stop."
    assert joined.count("Press Ctrl+C to stop.") == 1
    gateway = joined.index("  gateway       http://127.0.0.1:8000")
    assert joined[gateway + 1 : gateway + 3] == [
        "  API docs      http://127.0.0.1:8000/docs",
        "  web app       http://127.0.0.1:8000/app/",
    ]
    assert (
        joined[gateway + 3] == "  processes     agents (pid 11), gateway (pid 12), each restarted if it dies"
    )
    assert joined[gateway + 4].lstrip().startswith("demo customer")


def test_the_gateway_reaches_the_agents_xmpp_server_and_ledger() -> None:
    env = gateway_environment(Settings(_env_file=None, xmpp_mode=XmppMode.EMBEDDED), AGENTS)
    assert env["LSO_XMPP_MODE"] == "external"
    assert env["LSO_LEDGER_JSON_API_URL"] == "http://127.0.0.1:7575"
    assert env["LSO_LEDGER_GRPC_URL"] == "http://127.0.0.1:6865"


def test_a_killed_gateway_is_restarted_and_serves_again(tmp_path: Path) -> None:
    env = platform_env(tmp_path)
    health = f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}/health"
    with lso_run(env) as banner:
        found = re.search(r"agents \(pid (\d+)\), gateway \(pid (\d+)\)", banner)
        assert found, banner
        agents, gateway = int(found[1]), int(found[2])
        assert httpx.get(health, timeout=10).status_code == 200
        os.kill(gateway, signal.SIGKILL)
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(health, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the gateway did not come back"
            time.sleep(0.5)
        os.kill(agents, 0)  # the agents' process kept running
