"""``AccountBook``: the passwords of the platform's XMPP accounts.

Accounts are created, never claimed: no XMPP server the platform runs or configures lets a client register
itself. Each account has its own strong random password, made when the account is created (by ``lso run`` for
the accounts it runs, by ``lso xmpp add-account`` for any other) and kept in the book, a JSON file in the data
directory that only its owner may read (mode 0600), or given by configuration (``LSO_XMPP_PASSWORDS``, a JSON
object ``{"node": "password"}``, which wins over the file). An agent reads its password here; when there is
none it does not start (:class:`AccountMissing`), it never invents one.

Several processes may share one data directory (the platform and the agents the tests start as child
processes): every change holds an exclusive lock on ``<book>.lock`` and replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from common.settings import Settings

log = logging.getLogger(__name__)

FORMAT = "lso-xmpp-accounts/1"
PASSWORD_BYTES = 32
"""Random bytes of a new password (43 URL-safe characters)."""


class AccountMissing(LookupError):
    """No password is known for an account: it was never created for this platform."""


class AccountBookError(RuntimeError):
    """The book cannot be read (not JSON, another format)."""


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def node_of(name: str, domain: str) -> str:
    """The account's node (local part) of ``name`` (a node or a JID of ``domain``), lower-cased."""
    bare = name.split("/", 1)[0].strip()
    node, at, where = bare.partition("@")
    if at and where.lower() != domain.lower():
        raise ValueError(f"{name!r} is not an account of the XMPP domain {domain!r}")
    node = node.lower()
    if not node or any(c.isspace() or c in "\"&'/:<>@" for c in node):
        raise ValueError(f"{name!r} is not a valid XMPP account name")
    return node


class AccountBook:
    """Passwords by account node, for one XMPP domain."""

    def __init__(self, path: Path, domain: str, configured: Mapping[str, SecretStr] | None = None) -> None:
        self.path = path
        self.domain = domain
        self._configured = {node_of(k, domain): v for k, v in (configured or {}).items()}

    @classmethod
    def of(cls, settings: Settings) -> AccountBook:
        return cls(settings.resolved_accounts_file, settings.xmpp_domain, settings.xmpp_passwords)

    # ----------------------------------------------------------------- reading

    def password(self, name: str) -> str | None:
        """The password of account ``name`` (a node or a JID of the domain), or None."""
        node = node_of(name, self.domain)
        configured = self._configured.get(node)
        if configured is not None:
            return configured.get_secret_value()
        entry = self._read().get(node)
        return None if entry is None else str(entry["password"])

    def require(self, name: str) -> str:
        """The password of ``name``; :class:`AccountMissing` (saying how to create it) when there is none."""
        password = self.password(name)
        if password is None:
            node = node_of(name, self.domain)
            raise AccountMissing(
                f"no password for the XMPP account {node}@{self.domain}: it is created by `lso run` for the "
                f"platform's own agents, or by an admin with `lso xmpp add-account {node}` (the password is "
                f"then in {self.path}), or given in LSO_XMPP_PASSWORDS"
            )
        return password

    def accounts(self) -> dict[str, str]:
        """Every account's password by node (configured ones included)."""
        found = {node: str(entry["password"]) for node, entry in self._read().items()}
        found.update({node: secret.get_secret_value() for node, secret in self._configured.items()})
        return dict(sorted(found.items()))

    def created_at(self, name: str) -> str | None:
        entry = self._read().get(node_of(name, self.domain))
        return None if entry is None else str(entry.get("created_at", ""))

    # ----------------------------------------------------------------- changing

    def create(self, name: str, password: str | None = None, *, actor: str = "lso") -> tuple[str, bool]:
        """Make sure account ``name`` has a password: the one known (configured or in the file), else
        ``password``, else a new random one. With ``password`` given and different from the file's, the file
        takes it (a reset). Returns the password and whether the book changed."""
        node = node_of(name, self.domain)
        configured = self._configured.get(node)
        if configured is not None:
            return configured.get_secret_value(), False
        with self._locked():
            entries = self._read()
            entry = entries.get(node)
            if entry is not None and (password is None or entry["password"] == password):
                return str(entry["password"]), False
            chosen = password or new_password()
            entries[node] = {
                "password": chosen,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "created_by": actor,
            }
            self._write(entries)
        what = "reset the password of" if entry is not None else "created"
        log.info("%s %s the XMPP account %s@%s (password in %s)", actor, what, node, self.domain, self.path)
        return chosen, True

    def remove(self, name: str, *, actor: str = "lso") -> bool:
        """Forget account ``name``; whether it was in the file."""
        node = node_of(name, self.domain)
        with self._locked():
            entries = self._read()
            if entries.pop(node, None) is None:
                return False
            self._write(entries)
        log.info("%s removed the XMPP account %s@%s from %s", actor, node, self.domain, self.path)
        return True

    # ----------------------------------------------------------------- file

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            raw = self.path.read_text()
        except FileNotFoundError:
            return {}
        _warn_if_readable_by_others(self.path)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise AccountBookError(f"{self.path} is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise AccountBookError(f"{self.path} is not an account book ({FORMAT})")
        if data.get("domain", self.domain).lower() != self.domain.lower():
            raise AccountBookError(
                f"{self.path} holds the accounts of the XMPP domain {data.get('domain')!r}, "
                f"not {self.domain!r}"
            )
        accounts = data.get("accounts", {})
        if not isinstance(accounts, dict):
            raise AccountBookError(f"{self.path}: 'accounts' is not an object")
        return {str(k): v for k, v in accounts.items() if isinstance(v, dict) and "password" in v}

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        data = {"format": FORMAT, "domain": self.domain, "accounts": dict(sorted(entries.items()))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(f"{self.path.name}.lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


def _warn_if_readable_by_others(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by others (mode %o): making it 0600", path, stat.S_IMODE(mode))
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
