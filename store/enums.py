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


class AgentRole(StrEnum):
    """What an XMPP account may act as (see :mod:`store.models.bindings`)."""

    PLATFORM = "platform"
    """A service of the platform; its party is the service's name (ping, matchmaker, contract, ...)."""
    MANUFACTURER = "manufacturer"
    """A manufacturer's agent; its party is the manufacturer user's id."""
    CUSTOMER = "customer"
    """A customer's agent; its party is the customer user's id, or ``*``: every customer of the app (the
    gateway's bridge agent)."""
    SUPPLIER = "supplier"
    """A supplier's agent; its party is the supplier's id, or ``*``: every supplier it hosts (proxy host)."""


#: The party of a binding that acts for every party of its role (the gateway's bridge, a proxy host).
ANY_PARTY = "*"


class PolicyKind(StrEnum):
    MANUFACTURER = "manufacturer"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"


def check_in(column: str, values: type[StrEnum]) -> str:
    """SQL text of a CHECK constraint ``column IN (...)`` over an enum's values."""
    listed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({listed})"
