"""``python -m federation.service [--host H] [--port P]``: run the local federation service.

Settings come from ``LSO_EFPF_*`` variables; the options override host and port. Prints
``READY <url>`` on stdout once it accepts requests, and stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from federation.service.serve import serve
from federation.settings import FederationSettings

READY = "READY"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the local EFPF federation service.")
    parser.add_argument("--host", help="loopback address to bind (default: LSO_EFPF_SERVICE_HOST)")
    parser.add_argument("--port", type=int, help="port, 0 for a free one (default: LSO_EFPF_SERVICE_PORT)")
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {}
    if args.host is not None:
        overrides["service_host"] = args.host
    if args.port is not None:
        overrides["service_port"] = args.port
    settings = FederationSettings().model_copy(update=overrides)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(settings, announce=lambda url: print(f"{READY} {url}", flush=True)))


if __name__ == "__main__":
    main()
