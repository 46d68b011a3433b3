"""The command-line entry point every agent module shares (``python -m agents.<agent> --name N``).

It prints ``READY <jid>`` on stdout once the agent is connected and stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

import uvloop

from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.runner import run_agents
from common.settings import Settings, get_settings

AgentMaker = Callable[[str, Settings], PlatformAgent]


def agent_main(
    make: AgentMaker, default_name: str, description: str | None, argv: list[str] | None = None
) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--name", default=default_name, help="node name (or full JID) of the agent")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)
    uvloop.run(run_agents(settings, lambda s: [make(args.name, s)]))


def first_line(doc: str | None) -> str | None:
    return doc.strip().splitlines()[0] if doc else None
