"""Records of ledger identities: the ledger party and user a platform party (role + id) signs with."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ontology.contract import PartyRole
from store.records.base import NewRecord, Record


class NewLedgerIdentity(NewRecord):
    role: PartyRole
    platform_id: str = Field(min_length=1, max_length=512)
    ledger_party: str = Field(min_length=1, max_length=512, description="As the ledger allocated it.")
    ledger_user: str = Field(min_length=1, max_length=128)
    display_name: str = Field(default="", max_length=200)
    created_by: str = Field(min_length=1, max_length=200)


class LedgerIdentityRecord(Record):
    role: PartyRole
    platform_id: str
    ledger_party: str
    ledger_user: str
    display_name: str
    created_at: datetime
    created_by: str
