"""Platform configuration, read from environment variables prefixed ``LSO_``."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class XmppMode(StrEnum):
    EMBEDDED = "embedded"
    EXTERNAL = "external"


class RunProcesses(StrEnum):
    """How ``lso run`` lays the platform out over processes."""

    SPLIT = "split"
    """The agents (with the embedded XMPP server and ledger) and the gateway in processes of their own."""
    SINGLE = "single"
    """Everything but the ledger in the one process of ``lso run``."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Directory for the SQLite database, XMPP server data and certificates.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; default sqlite+aiosqlite:///<data_dir>/lso.db. "
        "PostgreSQL: postgresql+asyncpg://user@host:5432/db",
    )
    log_level: str = Field(default="INFO", description="Python logging level.")

    xmpp_mode: XmppMode = Field(
        default=XmppMode.EMBEDDED,
        description="'embedded' starts SPADE's pyjabber on loopback; 'external' uses a running server.",
    )
    xmpp_domain: str = Field(default="localhost", description="XMPP domain of the agents' JIDs.")
    xmpp_host: str = Field(default="127.0.0.1", description="Address of the XMPP server's c2s port.")
    xmpp_port: int = Field(default=5222, description="XMPP client-to-server port.")
    xmpp_passwords: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="JSON object {account node: password} of XMPP accounts whose passwords are given by "
        "configuration (they win over the account book); empty: every password comes from the book.",
    )
    xmpp_accounts_file: Path | None = Field(
        default=None,
        description="The account book: JSON file (mode 0600) with each platform XMPP account's random "
        "password, written when `lso run` or `lso xmpp add-account` creates an account; default "
        "<data_dir>/xmpp-accounts.json.",
    )
    xmpp_verify_tls: bool = Field(
        default=False,
        description="Verify the XMPP server's certificate (against xmpp_ca_file, else the system's CAs); "
        "off only for the embedded server's self-signed certificate on loopback. Turn it on in production.",
    )
    xmpp_ca_file: Path | None = Field(
        default=None,
        description="PEM file of the CA (or the self-signed certificate) the XMPP server's certificate is "
        "verified against when xmpp_verify_tls is on; unset: the system's CAs.",
    )
    xmpp_s2s_port: int = Field(
        default=5269,
        description="Server-to-server port of the embedded pyjabber (it always opens one; bound to "
        "xmpp_host, which must be a loopback address). Unused with an external server.",
    )
    xmpp_connect_timeout: float = Field(
        default=20.0, description="Seconds an agent waits to connect and authenticate to the XMPP server."
    )

    acl_max_message_bytes: int = Field(
        default=131_072,
        ge=1024,
        description="Largest ACL message an agent takes over XMPP or sends (content plus every parameter, "
        "UTF-8 bytes); a larger one is refused (message-too-large) before it is parsed or stored.",
    )
    acl_rate_per_second: float = Field(
        default=20.0,
        gt=0,
        description="Messages per second an agent takes from one sender the store does not bind to a "
        "party (token bucket); more are refused (too-many-requests) or dropped.",
    )
    acl_rate_burst: int = Field(
        default=100, ge=1, description="Burst of that bucket: messages at once from such a sender."
    )
    acl_trusted_rate_per_second: float = Field(
        default=2000.0,
        gt=0,
        description="Messages per second an agent takes from one sender the store binds to a party.",
    )
    acl_trusted_rate_burst: int = Field(
        default=10_000, ge=1, description="Burst of that bucket: messages at once from such a sender."
    )
    directory_ttl_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds an agent remembers what the store binds a JID to (a removed binding stops "
        "working within this time).",
    )

    federation_local: bool = Field(
        default=True,
        description="Start the local federation service standing in for EFPF and point the matchmaker at "
        "it; false uses the EFPF endpoints configured by the LSO_EFPF_* variables.",
    )

    run_processes: RunProcesses = Field(
        default=RunProcesses.SPLIT,
        description="How lso run lays the platform out: split (the agents with the embedded XMPP server "
        "and ledger in one supervised child process, the gateway in another, so the gateway's messages to "
        "the agents cross the XMPP server and both use a core) or single (everything in one process).",
    )

    ledger_local: bool = Field(
        default=True,
        description="Start the embedded DAML ledger (its own process) and point the contract agent at it; "
        "false uses the ledger configured by the LSO_LEDGER_* variables.",
    )
    ledger_operator_user: str = Field(
        default="lso-operator",
        description="Ledger user of the platform's operator on the embedded ledger: ParticipantAdmin only "
        "(allocates parties, creates users, uploads packages), never acting as a party.",
    )
    ledger_operator_token: SecretStr | None = Field(
        default=None,
        description="Token of the operator's ledger user (ParticipantAdmin) for onboarding parties on a "
        "ledger the platform did not start (Canton, a Daml sandbox); the embedded ledger's is minted with "
        "its secret.",
    )
    ledger_party_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Production: JSON {ledger user id: token} of the party users this process acts for (each "
        "agent is given its own party's only); the embedded ledger's are minted with its secret.",
    )
    ledger_party_token_dir: Path | None = Field(
        default=None,
        description="Production: directory of <ledger user id>.jwt files, one token per party user this "
        "process acts for, read at every request (whoever refreshes them rewrites them in place).",
    )
    ledger_mint_tokens: bool = Field(
        default=False,
        description="On a ledger the platform did not start, mint the operator's and each party user's HS256 "
        "tokens with <LSO_DATA_DIR>/ledger-token.secret as lso run does, instead of configured tokens: for a "
        "development Daml sandbox without authentication or one verifying that secret; never in production.",
    )
    ledger_token_lifetime_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Embedded ledger: lifetime of the operator's and the parties' user tokens minted with "
        "the ledger's HS256 secret (<data_dir>/ledger-token.secret, made on first use, mode 600).",
    )
    ledger_onboard_concurrency: int = Field(
        default=8,
        ge=1,
        description="Onboardings `lso run` runs at once for the manufacturers and suppliers it starts.",
    )

    gateway_host: str = Field(default="127.0.0.1", description="Address the REST gateway binds to.")
    gateway_port: int = Field(default=8000, description="Port of the REST gateway.")

    @property
    def resolved_accounts_file(self) -> Path:
        return self.xmpp_accounts_file or self.data_dir / "xmpp-accounts.json"

    @property
    def ledger_secret_file(self) -> Path:
        """The embedded ledger's HS256 token secret (``lso run`` makes it on first use)."""
        return self.data_dir / "ledger-token.secret"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'lso.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
