"""Closed vocabularies of the storage layer (stored as strings, checked by CHECK constraints)."""

from __future__ import annotations

from enum import StrEnum

from ontology.billing import InvoiceStatus as _InvoiceStatus
from ontology.contract import ContractKind


class UserRole(StrEnum):
    CUSTOMER = "customer"
    MANUFACTURER = "manufacturer"
    RESEARCHER = "researcher"
    ADMIN = "admin"


class Direction(StrEnum):
    """Whether the logging agent received (``in``) or sent (``out``) an ACL message."""

    IN = "in"
    OUT = "out"


class NegotiationRole(StrEnum):
    INITIATOR = "initiator"
    PARTICIPANT = "participant"


#: Kinds of agreement: the customer order contract, a supply agreement (the ontology's vocabulary).
AgreementKind = ContractKind

#: issued -> paid | cancelled (the ontology's vocabulary and transition table).
InvoiceStatus = _InvoiceStatus


class PolicyKind(StrEnum):
    MANUFACTURER = "manufacturer"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"


def check_in(column: str, values: type[StrEnum]) -> str:
    """SQL text of a CHECK constraint ``column IN (...)`` over an enum's values."""
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"
