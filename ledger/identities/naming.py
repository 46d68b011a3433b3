"""The names onboarding asks the ledger for: a party id hint and a user id per platform party.

Both are derived from the role and the platform id, deterministically (two onboardings of one party ask for
the same names, so they meet on the ledger instead of making two parties), and sanitised: a hint holds only
ASCII letters, digits, ``-`` and ``_`` (what Daml and Canton both accept, never Canton's ``::`` separator); a
user id is lower-case (Canton's user ids are). When sanitising changed anything, a short hash of the platform
id is appended, so two platform ids never share a name. The party id itself is whatever the ledger allocates
(``<hint>::<fingerprint>`` on Canton): nothing may compute it from the hint.
"""

from __future__ import annotations

import hashlib
import re

from ontology.contract import PartyRole

MAX_HINT = 100
MAX_USER_ID = 128
USER_PREFIX = "lso"
_NOT_HINT = re.compile(r"[^A-Za-z0-9_-]+")
_NOT_USER = re.compile(r"[^a-z0-9_-]+")


def _digest(platform_id: str) -> str:
    return hashlib.sha256(platform_id.encode()).hexdigest()[:10]


def _name(prefix: str, platform_id: str, clean: str, limit: int) -> str:
    name = f"{prefix}-{clean}"
    if clean == platform_id and len(name) <= limit:
        return name
    suffix = f"-{_digest(platform_id)}"
    return f"{prefix}-{clean.strip('-_')}"[: limit - len(suffix)] + suffix


def party_hint(role: PartyRole, platform_id: str) -> str:
    """The party id hint of ``platform_id`` in ``role``, e.g. ``supplier-SUP-0001``."""
    return _name(str(role), platform_id, _NOT_HINT.sub("_", platform_id), MAX_HINT)


def ledger_user_id(role: PartyRole, platform_id: str) -> str:
    """The ledger user id of ``platform_id`` in ``role``, e.g. ``lso-supplier-sup-0001-4c1f0e2a9b``."""
    clean = _NOT_USER.sub("_", platform_id.lower())
    return _name(f"{USER_PREFIX}-{role}", platform_id, clean, MAX_USER_ID)
