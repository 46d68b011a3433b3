"""Configuration of the ledger: the embedded ledger server and the platform's ledger clients.

Read from environment variables prefixed ``LSO_LEDGER_`` (e.g. ``LSO_LEDGER_JSON_API_PORT``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class UserGrant(BaseModel):
    """Rights of a user of user tokens (2.x ``sub``, or a Keycloak ``preferred_username``)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    act_as: list[str] = Field(default_factory=list, alias="actAs")
    read_as: list[str] = Field(default_factory=list, alias="readAs")
    admin: bool = False
    act_as_any_party: bool = Field(
        default=False,
        alias="actAsAnyParty",
        description="Operator right: act and read as every party (the platform's contract agent).",
    )


class LedgerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_LEDGER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var/ledger"), description="Directory of the embedded ledger's SQLite file."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL of the embedded ledger's store; default "
        "sqlite+aiosqlite:///<data_dir>/ledger.db; PostgreSQL: postgresql+asyncpg://user@host:5432/db.",
    )
    ledger_id: str | None = Field(
        default=None, description="Ledger id given to a new embedded ledger (kept once set); default random."
    )
    host: str = Field(
        default="127.0.0.1", description="Loopback address the embedded ledger's servers bind to."
    )
    json_api_port: int = Field(default=7575, description="Port of the HTTP JSON API v1 (0: a free port).")
    grpc_port: int = Field(default=6865, description="Port of the gRPC Ledger API v1 (0: a free port).")
    grpc_enabled: bool = Field(
        default=True, description="Serve the gRPC Ledger API too (when the ledger.grpc package is present)."
    )
    max_deduplication_seconds: float = Field(
        default=604800.0,
        gt=0,
        description="Longest command deduplication period (Daml's max-deduplication-duration, default "
        "7 days), also the period of commands that give none; a longer one is refused "
        "(INVALID_DEDUPLICATION_PERIOD).",
    )
    time_mode: Literal["wall", "static"] = Field(
        default="wall",
        description="Ledger time: 'wall' (the system clock) or 'static' (starts at the wall clock and moves "
        "only through Daml's testing TimeService SetTime over gRPC, like the sandbox's --static-time).",
    )
    party_ids: Literal["canton", "hint"] = Field(
        default="canton",
        description="Allocated party ids: 'canton' (<hint>::<participant fingerprint>, as Canton) or 'hint' "
        "(the hint itself).",
    )
    json_max_request_bytes: int = Field(
        default=4 * 1024 * 1024,
        gt=0,
        description="Largest JSON API request body in bytes (larger: 413 before the body is read).",
    )
    json_max_package_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="Largest DAR a POST /v1/packages may upload, in bytes (larger: 413).",
    )
    grpc_max_inbound_message_bytes: int = Field(
        default=4 * 1024 * 1024,
        gt=0,
        description="Largest gRPC message the Ledger API accepts, in bytes (Daml's default; DAR uploads "
        "too); larger: RESOURCE_EXHAUSTED.",
    )

    auth_secret: SecretStr | None = Field(
        default=None, description="HS256 secret verifying bearer tokens (development only)."
    )
    auth_public_key_file: Path | None = Field(
        default=None, description="PEM public key (RS256/ES256) verifying bearer tokens."
    )
    auth_jwks_url: str | None = Field(
        default=None,
        description="JWKS URL of the token issuer, e.g. the local federation service's "
        "http://127.0.0.1:8470/auth/realms/{realm}/protocol/openid-connect/certs (fetched at start).",
    )
    auth_audience: str | None = Field(default=None, description="Required 'aud' claim of tokens, if any.")
    auth_users: dict[str, UserGrant | list[str]] = Field(
        default_factory=dict,
        description="Users of tokens without DAML claims (2.x: sub + scope daml_ledger_api; or an identity "
        "provider's token, matched by sub then preferred_username), JSON: user -> [parties it acts as] or "
        '{"actAs": [...], "readAs": [...], "admin": bool, "actAsAnyParty": bool}. Seeded into the ledger\'s '
        "user store at each start (created if missing, these rights granted); more users via user management "
        "(gRPC UserManagementService, JSON API /v1/user...). A user token of any other user is refused.",
    )
    auth_disabled: bool = Field(
        default=False,
        description="Serve without authentication (every request acts as the parties it names). Tests only.",
    )

    ws_heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        description="JSON API WebSocket streams: seconds without a message after which an idle live stream "
        'sends {"events":[],"offset":<last offset>} (Daml\'s heartbeat).',
    )
    ws_send_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description="JSON API WebSocket streams: seconds a client may take to accept one message; a slower "
        "client is disconnected (the server never buffers more than one message for it).",
    )

    json_api_url: str = Field(
        default="http://127.0.0.1:7575", description="JSON API base URL the platform's ledger client uses."
    )
    grpc_url: str = Field(
        default="http://127.0.0.1:6865", description="gRPC Ledger API URL the dazl client uses."
    )
    application_id: str = Field(
        default="lot-size-one",
        description="Application id of the platform's gRPC (dazl) commands when the token names none (a "
        "user token's sub, a 1.x token's applicationId come first, as Daml requires); on the JSON API the "
        "token's is used.",
    )
    client_identity: bool = Field(
        default=True,
        description="Without client_token, the contract agent gets its ledger token from the identity "
        "provider (the local federation service by default; LSO_EFPF_* settings).",
    )
    client_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the platform's ledger clients (the contract agent) when no token "
        "provider is given in code; unset: requests carry no token (a ledger without authentication).",
    )
    dar_file: Path | None = Field(
        default=None,
        description="DAR the contract agent deploys through the JSON API before its first commit; default "
        "the model's DAR built in Python (ledger/lf). Against a Daml sandbox: the `daml build` DAR it runs.",
    )
    client_timeout: float = Field(default=10.0, description="Seconds a ledger client request may take.")
    client_retries: int = Field(
        default=5, description="Attempts of a ledger client request on connection errors and 5xx responses."
    )
    client_backoff: float = Field(
        default=0.2, description="First retry delay in seconds; doubles up to client_backoff_max."
    )
    client_backoff_max: float = Field(default=5.0, description="Longest retry delay in seconds.")
    commit_retry_delay: float = Field(
        default=0.5,
        description="Contract agent: first delay before retrying a commit while the ledger is down.",
    )
    commit_retry_max_delay: float = Field(
        default=15.0,
        description="Contract agent: longest delay between commit retries (exponential backoff).",
    )
    commit_deadline: float = Field(
        default=600.0,
        description="Contract agent: seconds it keeps retrying a commit before answering failure "
        "(the order then stays contracting).",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ledger.db').resolve()}"
