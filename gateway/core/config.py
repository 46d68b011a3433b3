"""Gateway configuration, read from environment variables prefixed ``LSO_GATEWAY_``.

(``LSO_GATEWAY_HOST`` and ``LSO_GATEWAY_PORT`` belong to :class:`common.settings.Settings`.)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


def default_webapp_dir() -> Path:
    """The repository's ``webapp/`` directory (next to the ``gateway`` package in a source checkout)."""
    return Path(__file__).resolve().parents[2] / "webapp"


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_GATEWAY_", env_file=".env", extra="ignore")

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key signing the gateway's tokens (at least 32 bytes); default: a random key "
        "created once and kept in <data_dir>/gateway-jwt.key.",
    )
    token_lifetime_days: int = Field(default=7, ge=1, le=365, description="Days an issued token is valid.")

    # --- passwords and failed logins ----------------------------------------------------------------
    password_min_score: int = Field(
        default=3,
        ge=0,
        le=4,
        description="Least zxcvbn strength score (0 to 4) of a new password; a password scored lower, "
        "or made of the e-mail address, the name or the platform's words, is refused (422, with advice).",
    )
    password_hash_time_cost: int = Field(
        default=3,
        ge=1,
        le=100,
        description="argon2id passes over memory per password hash (RFC 9106's second recommended option: "
        "3 passes, 64 MiB, 4 lanes). A stored hash made with other parameters is hashed anew at the next "
        "successful login.",
    )
    password_hash_memory_kib: int = Field(
        default=65536,
        ge=8,
        le=4_194_304,
        description="argon2id memory per password hash, in KiB (at least 8 x the lanes).",
    )
    password_hash_parallelism: int = Field(
        default=4, ge=1, le=64, description="argon2id lanes (threads) per password hash."
    )
    login_failures_before_delay: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Failed logins (of one client, or on one account) after which the failing client "
        "waits before its next try: 1 s after this many, then 2, 4, 8 ... s (answered 429 with "
        "Retry-After). No account is ever locked: a client that is not waiting always logs in with the "
        "right password.",
    )
    login_max_delay_seconds: int = Field(
        default=600, ge=1, le=86400, description="Longest wait after failed logins, in seconds."
    )
    login_forget_seconds: int = Field(
        default=3600,
        ge=1,
        le=604800,
        description="Seconds after the end of the last wait at which failed logins are forgotten "
        "(a successful login forgets the account's at once).",
    )

    # --- HTTP hygiene ------------------------------------------------------------------------------
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body accepted, in bytes (larger: 413, checked while streaming).",
    )
    upload_max_bytes: int = Field(
        default=20_000_000,
        ge=1024,
        le=1_000_000_000,
        description="Largest file a customer may upload (POST /uploads), in bytes (larger: 413); a product's "
        "file option may accept less.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='JSON list of origins the browser may call the API from, e.g. ["https://app.example"]; '
        "empty: no cross-origin calls.",
    )

    # --- the web app ---------------------------------------------------------------------------------
    webapp_dir: Path = Field(
        default_factory=default_webapp_dir,
        description="Directory of the installable web app (PWA) served at /app/ (GET / redirects there); "
        "default: the webapp/ directory of the source checkout. When it does not exist the gateway "
        "still starts, logs a warning, and /app/ answers 404.",
    )

    # --- external OpenID Connect provider ----------------------------------------------------------
    oidc_issuer: str | None = Field(
        default=None,
        description="'iss' of the external OpenID Connect provider whose tokens are accepted, e.g. "
        "http://127.0.0.1:8470/auth/realms/efpf; unset: only the gateway's own tokens.",
    )
    oidc_jwks_url: str | None = Field(
        default=None,
        description="JWKS URL of that provider (e.g. <issuer>/protocol/openid-connect/certs); needed "
        "with oidc_issuer.",
    )
    oidc_audience: str | None = Field(
        default=None, description="Required 'aud' of external tokens; unset: not checked."
    )
    oidc_email_claim: str = Field(
        default="email",
        description="Claim carrying the user's e-mail address (dotted path), e.g. email or "
        "preferred_username; the local user with that address is the caller (created on first sight).",
    )
    oidc_roles_claim: str = Field(
        default="realm_access.roles",
        description="Claim (dotted path) listing the user's roles; a role named customer, manufacturer "
        "or researcher gives that role to a new user (default customer).",
    )
    oidc_allow_admin: bool = Field(
        default=False,
        description="Let an external token's 'admin' role create an admin; off: never admin from outside.",
    )
    oidc_algorithms: list[str] = Field(
        default_factory=lambda: ["RS256", "ES256"],
        description="JSON list of signature algorithms accepted on external tokens (RS256, ES256, ...).",
    )
    oidc_jwks_cache_seconds: float = Field(
        default=600.0, gt=0, description="How long a fetched JWKS is used before it is fetched again."
    )
    oidc_jwks_min_refetch_seconds: float = Field(
        default=30.0,
        ge=0,
        description="An unknown key id refetches the JWKS at most once per this many seconds.",
    )
    oidc_timeout_seconds: float = Field(default=5.0, gt=0, description="Timeout of fetching the JWKS.")
    oidc_leeway_seconds: int = Field(
        default=30, ge=0, le=600, description="Clock skew allowed on external tokens' exp/iat/nbf."
    )

    @model_validator(mode="after")
    def _argon2_memory_covers_lanes(self) -> GatewaySettings:
        if self.password_hash_memory_kib < 8 * self.password_hash_parallelism:
            raise ValueError(
                "LSO_GATEWAY_PASSWORD_HASH_MEMORY_KIB must be at least 8 x "
                "LSO_GATEWAY_PASSWORD_HASH_PARALLELISM (KiB per lane)"
            )
        return self

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        unsafe = [name for name in value if name not in ASYMMETRIC_ALGORITHMS]
        if unsafe or not value:
            raise ValueError(f"external tokens need public-key algorithms, not {unsafe or 'none'}")
        return value

    @model_validator(mode="after")
    def _issuer_with_keys(self) -> GatewaySettings:
        if bool(self.oidc_issuer) != bool(self.oidc_jwks_url):
            raise ValueError("set both oidc_issuer and oidc_jwks_url, or neither")
        return self
