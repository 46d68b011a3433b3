"""Party ids as the embedded ledger allocates them.

``canton`` (the default of ``LSO_LEDGER_PARTY_IDS``): ``<hint>::<fingerprint>`` as Canton allocates them, the
fingerprint a stable hex string of this participant (``1220`` + sha256 of the ledger id), so no client may
assume that a party id equals its hint. ``hint``: the id is the hint itself (older tests pin it).
"""

from __future__ import annotations

import hashlib
from typing import Literal

PartyIdMode = Literal["canton", "hint"]
PARTY_ID_MODES: tuple[PartyIdMode, ...] = ("canton", "hint")


def participant_fingerprint(ledger_id: str) -> str:
    """The participant's namespace fingerprint: ``1220`` (a sha256 multihash) + 64 hex digits."""
    return "1220" + hashlib.sha256(ledger_id.encode()).hexdigest()


def party_id(hint: str, mode: PartyIdMode, ledger_id: str) -> str:
    """The id of a party allocated with ``hint``."""
    if mode == "hint":
        return hint
    if mode == "canton":
        return f"{hint}::{participant_fingerprint(ledger_id)}"
    raise ValueError(f"party id mode {mode!r} is neither 'canton' nor 'hint'")
