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
    xmpp_password: SecretStr = Field(
        default=SecretStr("lso-agent-secret"), description="Password of the platform agents' XMPP accounts."
    )
    xmpp_verify_tls: bool = Field(
        default=False, description="Verify the XMPP server's certificate (off for self-signed dev servers)."
    )
    xmpp_auto_register: bool = Field(
        default=True, description="Register agent accounts in-band (XEP-0077) when they do not exist."
    )
    xmpp_s2s_port: int = Field(
        default=5269,
        description="Server-to-server port of the embedded pyjabber (it always opens one; bound to "
        "xmpp_host, which must be a loopback address). Unused with an external server.",
    )
    xmpp_connect_timeout: float = Field(
        default=20.0, description="Seconds an agent waits to connect and authenticate to the XMPP server."
    )

    federation_local: bool = Field(
        default=True,
        description="Start the local federation service standing in for EFPF and point the matchmaker at "
        "it; false uses the EFPF endpoints configured by the LSO_EFPF_* variables.",
    )

    ledger_local: bool = Field(
        default=True,
        description="Start the embedded DAML ledger (its own process) and point the contract agent at it; "
        "false uses the ledger configured by the LSO_LEDGER_* variables.",
    )

    gateway_host: str = Field(default="127.0.0.1", description="Address the REST gateway binds to.")
    gateway_port: int = Field(default=8000, description="Port of the REST gateway.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'lso.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
