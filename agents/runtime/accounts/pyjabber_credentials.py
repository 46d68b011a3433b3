"""Accounts of the embedded XMPP server (pyjabber): its ``credentials`` table, written directly.

pyjabber keeps one row per account (``jid``: the node, ``hash_pwd``: ``sha256$<iterations>$<salt hex>$<PBKDF2
hex>``) in its SQLite file and reads it on every login, so an account written here can log in at once, also
while the server runs in another process. The table exists once the server has started once (its own
migrations create it); before that there is nothing to write to, and the server takes the accounts of the
book when it starts (:meth:`agents.runtime.embedded_server.EmbeddedXmppServer.start`).
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import logging
import secrets
import sqlite3
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

ITERATIONS = 100_000
"""PBKDF2 iterations, as pyjabber's own registration uses."""


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """pyjabber's stored form of ``password``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"sha256${iterations}${binascii.hexlify(salt).decode()}${binascii.hexlify(derived).decode()}"


def password_matches(stored: str, password: str) -> bool:
    try:
        _, iterations, salt, expected = stored.split("$")
        return hash_password(password, iterations=int(iterations), salt=binascii.unhexlify(salt)).endswith(
            f"${expected}"
        )
    except (ValueError, binascii.Error):
        return False


class PyjabberCredentials:
    """The ``credentials`` table of a pyjabber database file."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def ready(self) -> bool:
        """Whether the file exists and holds the table (the server has started at least once)."""
        if not self.database.is_file():
            return False
        with self._connect() as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'credentials'"
            ).fetchone()
        return found is not None

    def nodes(self) -> list[str]:
        with self._connect() as db:
            return sorted(str(row[0]) for row in db.execute("SELECT jid FROM credentials"))

    def set(self, node: str, password: str) -> bool:
        """Create the account, or give it ``password``; False when it had that password already."""
        with self._connect() as db:
            row = db.execute("SELECT hash_pwd FROM credentials WHERE jid = ?", (node,)).fetchone()
            if row is not None and password_matches(str(row[0]), password):
                return False
            hashed = hash_password(password)
            db.execute("DELETE FROM credentials WHERE jid = ?", (node,))
            db.execute("INSERT INTO credentials (jid, hash_pwd) VALUES (?, ?)", (node, hashed))
        return True

    def remove(self, node: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM credentials WHERE jid = ?", (node,)).rowcount > 0

    def sync(self, accounts: Mapping[str, str]) -> tuple[list[str], list[str]]:
        """Make the table hold exactly ``accounts`` (node -> password): accounts created or whose password
        changed, and accounts removed (registered by anything but the book, e.g. in-band before this
        version, or removed from the book)."""
        changed = [node for node, password in accounts.items() if self.set(node, password)]
        removed = [node for node in self.nodes() if node not in accounts and self.remove(node)]
        return changed, removed

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        return contextlib.closing(connection)
