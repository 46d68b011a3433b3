"""Records of agreements (customer order contracts and supply agreements)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from store.coltypes import new_id
from store.enums import AgreementKind
from store.records.base import JsonObject, NewRecord, Record

DEFAULT_AGREEMENT_STATUS = "pending"


class NewAgreement(NewRecord):
    """``parties`` maps each role to its party (e.g. ``{"customer": "...", "manufacturer": "..."}``)."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    order_id: str
    kind: AgreementKind
    parties: JsonObject
    terms: JsonObject
    ledger_contract_id: str | None = Field(default=None, max_length=512)
    status: str = Field(default=DEFAULT_AGREEMENT_STATUS, min_length=1, max_length=32)


class AgreementRecord(Record):
    id: str
    order_id: str
    kind: AgreementKind
    parties: dict[str, Any]
    terms: dict[str, Any]
    ledger_contract_id: str | None
    status: str
    created_at: datetime
    updated_at: datetime
