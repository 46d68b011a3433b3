"""Everything one running local federation service holds: users, tokens, registry, search index, faults."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierDataset
from federation.registry import Api, ApiSpec, Service
from federation.service.faults import Faults
from federation.service.query import Entry
from federation.service.tokens import TokenIssuer, load_or_create_key
from federation.settings import SEARCH_SERVICE_TYPE, FederationSettings, ServiceUser

SEARCH_MOUNT = "/apis/search"
REGISTRY_MOUNT = "/apis/sr"
IDENTITY_MOUNT = "/auth"


def seed_services(public_url: str) -> list[Service]:
    """The registry's initial entries: the federated search, and a few other EFPF-like services."""
    return [
        Service(
            id="efpf-federated-search",
            type=SEARCH_SERVICE_TYPE,
            title="EFPF Federated Search",
            description="Searches suppliers (parties) across the federated platforms.",
            meta={"provider": "lso-local-federation", "index": "party"},
            apis=(
                Api(
                    id="efpf-federated-search:http",
                    title="Federated search REST API",
                    description="GET <url>/party/select?q=&fq=&start=&rows=&sort=",
                    protocol="HTTP",
                    url=f"{public_url}{SEARCH_MOUNT}",
                    spec=ApiSpec(
                        media_type="application/vnd.oai.openapi+json;version=3.0",
                        url=f"{public_url}/openapi.json",
                    ),
                ),
            ),
            doc="federation/dataset/SCHEMA.md",
        ),
        Service(
            id="efpf-identity-provider",
            type="efpf-identity-provider",
            title="EFPF Identity Provider (Keycloak)",
            apis=(
                Api(
                    id="efpf-identity-provider:http",
                    title="OpenID Connect",
                    protocol="HTTP",
                    url=f"{public_url}{IDENTITY_MOUNT}",
                ),
            ),
        ),
        Service(
            id="efpf-marketplace",
            type="efpf-marketplace",
            title="EFPF Marketplace Framework",
            description="Listed for realism; the local service does not serve it.",
            apis=(
                Api(
                    id="efpf-marketplace:http",
                    title="Marketplace API",
                    protocol="HTTP",
                    url=f"{public_url}/apis/marketplace",
                ),
            ),
        ),
        Service(
            id="efpf-message-bus",
            type="_efpf-message-bus._tcp",
            title="EFPF Data Spine Message Bus",
            description="Listed for realism; the local service does not serve it.",
            apis=(
                Api(
                    id="efpf-message-bus:mqtt",
                    title="MQTT broker",
                    protocol="MQTT",
                    url="mqtt://127.0.0.1:1883",
                ),
            ),
        ),
    ]


@dataclass
class RegistryStore:
    """The service registry's entries, by id."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reset(self, seeds: list[Service]) -> None:
        self.services.clear()
        for service in seeds:
            self.put(service)

    def put(self, service: Service) -> tuple[dict[str, Any], bool]:
        """Create or replace; whether it was created."""
        now = datetime.now(UTC)
        existing = self.services.get(service.id)
        created_at = existing.get("createdAt") if existing else None
        expires = (
            {"expires_at": datetime.fromtimestamp(now.timestamp() + service.ttl, UTC)} if service.ttl else {}
        )
        stored = service.model_copy(
            update={
                "created_at": datetime.fromisoformat(created_at) if created_at else now,
                "updated_at": now,
                **expires,
            }
        ).wire()
        self.services[service.id] = stored
        return stored, existing is None

    def live(self) -> list[dict[str, Any]]:
        """Entries not past their ``expiresAt``, by id."""
        now = datetime.now(UTC).isoformat()
        return [
            entry
            for _, entry in sorted(self.services.items())
            if not entry.get("expiresAt") or entry["expiresAt"] > now
        ]


class ServiceState:
    """The state behind the routes; ``public_url`` is where clients reach the service."""

    def __init__(
        self, settings: FederationSettings, public_url: str, dataset: SupplierDataset | None = None
    ) -> None:
        self.settings = settings
        self.public_url = public_url.rstrip("/")
        self.realm = settings.realm
        self.users: dict[str, ServiceUser] = {user.username: user for user in settings.service_users}
        self.client_ids = frozenset(settings.service_client_ids)
        self.issuer = TokenIssuer(
            load_or_create_key(settings.service_data_dir),
            f"{self.public_url}{IDENTITY_MOUNT}/realms/{self.realm}",
            access_lifetime=settings.service_token_lifetime_seconds,
            refresh_lifetime=settings.service_refresh_lifetime_seconds,
        )
        if dataset is None:
            dataset = load_dataset(settings.service_dataset) if settings.service_dataset else load_shipped()
        self.dataset = dataset
        self.entries = [Entry(record, record.model_dump(mode="json")) for record in dataset.suppliers]
        self.registry = RegistryStore()
        self.registry.reset(seed_services(self.public_url))
        self.faults = Faults()

    def authenticate(self, username: str, password: str) -> ServiceUser | None:
        user = self.users.get(username)
        if user is None:
            hmac.compare_digest(password.encode(), b"no such user, compared anyway")
            return None
        return (
            user
            if hmac.compare_digest(password.encode(), user.password.get_secret_value().encode())
            else None
        )

    def reset(self) -> None:
        """Back to the start: no faults, zero counters, configured token lifetimes, seeded registry."""
        self.faults.clear()
        self.issuer.access_lifetime = self.settings.service_token_lifetime_seconds
        self.issuer.refresh_lifetime = self.settings.service_refresh_lifetime_seconds
        self.registry.reset(seed_services(self.public_url))
