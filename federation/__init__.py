"""EFPF integration: clients for the identity provider, the service registry and the federated search,
the three-step matchmaking flow built on them, and the local federation service that stands in for EFPF.

The clients speak the real EFPF shapes (Keycloak password grant, LinkSmart Service Catalog v3,
NIMBLE-style ``select`` search); which registry entry is the search service and how search results
map to :class:`ontology.supplier.Supplier` are configuration (:class:`FederationSettings`).
"""

from federation.errors import (
    AccessDenied,
    AuthenticationFailed,
    FederationError,
    FederationUnavailable,
    MalformedResponse,
    NotFound,
    SearchServiceNotFound,
    UnexpectedResponse,
)
from federation.mapping import FoundSupplier
from federation.matchmaking import EfpfMatchmaker, find_suppliers
from federation.search import SearchQuery
from federation.settings import FederationSettings

__all__ = [
    "AccessDenied",
    "AuthenticationFailed",
    "EfpfMatchmaker",
    "FederationError",
    "FederationSettings",
    "FederationUnavailable",
    "FoundSupplier",
    "MalformedResponse",
    "NotFound",
    "SearchQuery",
    "SearchServiceNotFound",
    "UnexpectedResponse",
    "find_suppliers",
]
