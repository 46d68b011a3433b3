"""EFPF configuration, read from environment variables prefixed ``LSO_EFPF_``.

The client fields say where EFPF is and who we are there; the ``service_*`` fields configure the
local federation service that stands in for EFPF. The defaults make the clients talk to the local
service on its default address, so ``make run`` works with no configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from federation.mapping import SearchMapping

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
DEFAULT_REALM = "efpf"
DEFAULT_CLIENT_ID = "lso-platform"
SEARCH_SERVICE_TYPE = "efpf-federated-search"
MATCHMAKER_USER = "lso-matchmaker"
MATCHMAKER_PASSWORD = "lso-matchmaker-secret"
ADMIN_USER = "lso-admin"
ADMIN_PASSWORD = "lso-admin-secret"
ADMIN_ROLE = "admin"
USER_ROLE = "user"


class ServiceUser(BaseModel):
    """An account of the local identity provider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(min_length=1)
    password: SecretStr
    roles: tuple[str, ...] = (USER_ROLE,)


def _default_users() -> list[ServiceUser]:
    return [
        ServiceUser(username=MATCHMAKER_USER, password=SecretStr(MATCHMAKER_PASSWORD), roles=(USER_ROLE,)),
        ServiceUser(username=ADMIN_USER, password=SecretStr(ADMIN_PASSWORD), roles=(USER_ROLE, ADMIN_ROLE)),
    ]


class FederationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_EFPF_", env_file=".env", extra="ignore")

    # --- where EFPF is, and who we are there (the clients) ---------------------------------------
    identity_url: str = Field(
        default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/auth",
        description="Keycloak base URL (up to and including /auth); the token endpoint is "
        "<identity_url>/realms/<realm>/protocol/openid-connect/token.",
    )
    realm: str = Field(default=DEFAULT_REALM, description="Keycloak realm of the EFPF accounts.")
    client_id: str = Field(
        default=DEFAULT_CLIENT_ID, description="OAuth client id sent with the password grant."
    )
    client_secret: SecretStr | None = Field(
        default=None, description="OAuth client secret, for a confidential client; none for a public one."
    )
    username: str = Field(default=MATCHMAKER_USER, description="EFPF portal username of the platform.")
    password: SecretStr = Field(
        default=SecretStr(MATCHMAKER_PASSWORD), description="EFPF portal password of the platform."
    )
    registry_url: str = Field(
        default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/apis/sr",
        description="Base URL of the LinkSmart Service Catalog v3 (EFPF: <gateway>/apis/sr).",
    )
    search_service_type: str | None = Field(
        default=SEARCH_SERVICE_TYPE,
        description="Registry 'type' of the federated search service (looked up with the filter form); "
        "empty: any type.",
    )
    search_service_title: str | None = Field(
        default=None,
        description="Text the search service's registry 'title' contains (case-insensitive); empty: any.",
    )
    search_api_protocol: str = Field(
        default="HTTP", description="Protocol of the service API whose 'url' is the search base URL."
    )
    search_path: str = Field(
        default="/party/select", description="Path of the select endpoint below the search base URL."
    )
    search_page_size: int = Field(default=50, ge=1, le=1000, description="Rows asked per search page.")
    search_max_results: int = Field(
        default=1000, ge=1, le=100_000, description="Stop paging a search after this many documents."
    )
    search_mapping: SearchMapping = Field(
        default_factory=SearchMapping,
        description="JSON: query field names and result-document paths (defaults: the local service).",
    )
    registry_cache_seconds: float = Field(
        default=300.0, ge=0, description="How long the search base URL found in the registry is reused."
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one HTTP request (read/write/pool)."
    )
    connect_timeout_seconds: float = Field(default=5.0, gt=0, description="Timeout of opening a connection.")
    retries: int = Field(
        default=3, ge=0, le=10, description="Retries of a request after a 5xx answer or a connection error."
    )
    backoff_seconds: float = Field(
        default=0.2, ge=0, description="First retry delay; doubled per retry, with jitter."
    )
    backoff_max_seconds: float = Field(default=5.0, ge=0, description="Upper bound of one retry delay.")
    verify_tls: bool = Field(default=True, description="Verify the servers' TLS certificates.")
    ca_bundle: Path | None = Field(
        default=None, description="PEM file of CA certificates to trust instead of the system's."
    )
    token_renew_margin_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Renew the access token this long before it expires (at most a quarter of its lifetime).",
    )

    # --- the local federation service -------------------------------------------------------------
    service_host: str = Field(
        default=DEFAULT_HOST, description="Address the local federation service binds to."
    )
    service_port: int = Field(
        default=DEFAULT_PORT,
        ge=0,
        le=65535,
        description="Port of the local federation service (0: any free).",
    )
    service_public_url: str | None = Field(
        default=None,
        description="Base URL the service registers its search API under; default http(s)://host:port.",
    )
    service_data_dir: Path = Field(
        default=Path("var/federation"), description="Directory of the service's RS256 signing key."
    )
    service_dataset: Path | None = Field(
        default=None, description="Supplier data set (JSON or CSV, see SCHEMA.md); default: the shipped one."
    )
    service_users: list[ServiceUser] = Field(
        default_factory=_default_users,
        description="JSON list of accounts {username, password, roles}; role 'admin' may edit the registry.",
    )
    service_client_ids: list[str] = Field(
        default_factory=lambda: [DEFAULT_CLIENT_ID],
        description="OAuth client ids the token endpoint accepts.",
    )
    service_token_lifetime_seconds: int = Field(
        default=300, ge=1, le=86_400, description="Lifetime of access tokens (Keycloak's default: 300)."
    )
    service_refresh_lifetime_seconds: int = Field(
        default=1800, ge=1, le=604_800, description="Lifetime of refresh tokens."
    )
    service_tls_cert: Path | None = Field(default=None, description="PEM certificate: serve HTTPS.")
    service_tls_key: Path | None = Field(default=None, description="PEM key of service_tls_cert.")
    service_test_controls: bool = Field(
        default=False,
        description="Mount /_test/* (fault injection, counters); for tests and benchmarks only.",
    )

    @field_validator("identity_url", "registry_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    @field_validator("search_service_type", "search_service_title")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _tls_pair(self) -> Self:
        if (self.service_tls_cert is None) != (self.service_tls_key is None):
            raise ValueError("service_tls_cert and service_tls_key go together")
        return self

    @property
    def token_url(self) -> str:
        return f"{self.identity_url}/realms/{self.realm}/protocol/openid-connect/token"

    @property
    def service_scheme(self) -> str:
        return "https" if self.service_tls_cert is not None else "http"


@lru_cache(maxsize=1)
def get_federation_settings() -> FederationSettings:
    return FederationSettings()
