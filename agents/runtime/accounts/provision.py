"""Creating XMPP accounts, the admin's act: a password in the account book, the account on the server.

:class:`AccountServer` is what can create accounts on a server: the embedded server's database
(:class:`EmbeddedAccounts`, which works whether the server runs in this process, in another one, or not at
all yet: it takes the book's accounts when it starts), Prosody through ``prosodyctl``
(:class:`ProsodyctlAccounts`, on the Prosody host). Against any other server the book still gets the
password, and the account is created there by its admin (for Prosody in docker-compose, from the file
``lso xmpp init-accounts --prosody-accounts`` writes).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from agents.runtime.accounts.book import AccountBook, node_of
from agents.runtime.accounts.pyjabber_credentials import PyjabberCredentials
from common.settings import Settings

log = logging.getLogger(__name__)


class AccountServer(Protocol):
    async def create_account(self, node: str, password: str) -> None: ...

    async def remove_account(self, node: str) -> None: ...


class EmbeddedAccounts:
    """The embedded server's accounts (its database file under ``<data_dir>/xmpp``)."""

    def __init__(self, settings: Settings) -> None:
        self.credentials = PyjabberCredentials((settings.data_dir / "xmpp" / "pyjabber.db").resolve())

    async def create_account(self, node: str, password: str) -> None:
        if await asyncio.to_thread(self.credentials.ready):
            await asyncio.to_thread(self.credentials.set, node, password)

    async def remove_account(self, node: str) -> None:
        if await asyncio.to_thread(self.credentials.ready):
            await asyncio.to_thread(self.credentials.remove, node)


class ProsodyctlAccounts:
    """A Prosody server's accounts, through ``prosodyctl --config CONFIG`` (run on the Prosody host, as root
    or as the prosody user)."""

    def __init__(self, config: Path, domain: str, binary: str = "prosodyctl") -> None:
        self.config = config
        self.domain = domain
        self.binary = binary

    async def create_account(self, node: str, password: str) -> None:
        await asyncio.to_thread(self._run, "register", node, self.domain, password)

    async def remove_account(self, node: str) -> None:
        await asyncio.to_thread(self._run, "deluser", f"{node}@{self.domain}")

    def _run(self, *arguments: str) -> None:
        executable = shutil.which(self.binary)
        if executable is None:
            raise RuntimeError(f"{self.binary} not found: run this on the Prosody host")
        done = subprocess.run(
            [executable, "--config", str(self.config), *arguments],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"prosodyctl {arguments[0]} failed: {(done.stdout + done.stderr).strip()}")


async def create_accounts(
    settings: Settings, names: Iterable[str], server: AccountServer | None, *, actor: str
) -> dict[str, str]:
    """Make sure each of ``names`` (nodes or JIDs of the domain) has a password in the book (a new random one
    when it has none) and, with ``server``, the account there; the passwords by node."""
    book = AccountBook.of(settings)
    created: dict[str, str] = {}
    for name in names:
        node = node_of(name, settings.xmpp_domain)
        password, _ = book.create(node, actor=actor)
        if server is not None:
            await server.create_account(node, password)
        created[node] = password
    return created
