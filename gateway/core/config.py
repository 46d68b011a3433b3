"""Gateway configuration, read from environment variables prefixed ``LSO_GATEWAY_``.

(``LSO_GATEWAY_HOST`` and ``LSO_GATEWAY_PORT`` belong to :class:`core.settings.Settings`.)
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_GATEWAY_", env_file=".env", extra="ignore")

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key signing the gateway's tokens (at least 32 bytes); default: a random key "
        "created once and kept in <data_dir>/gateway-jwt.key.",
    )
    token_lifetime_days: int = Field(default=7, ge=1, le=365, description="Days an issued token is valid.")
