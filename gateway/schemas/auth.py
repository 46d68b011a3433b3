"""Request and response bodies of authentication: users, tokens, OAuth errors, API clients."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.core.password_policy import MAX_LENGTH, MIN_LENGTH
from store.enums import UserRole
from store.records import UserRecord
from store.records.clients import ApiClientRecord

#: An e-mail address: RFC 5322 atoms before the @, a dotted DNS name after it.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
#: Printable text: no control characters (PostgreSQL refuses NUL in text; logs stay one line).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]+$"

PASSWORD_RULE = (
    f"At least {MIN_LENGTH} characters, and hard to guess: common passwords, keyboard patterns and the "
    "e-mail address or name are refused (422, saying why)."
)

SelfServiceRole = Literal[UserRole.CUSTOMER, UserRole.MANUFACTURER, UserRole.RESEARCHER]


class NewUser(BaseModel):
    """What every new user gives: e-mail, password, display name."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    password: str = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        pattern=r"^[^\x00]+$",
        description=PASSWORD_RULE,
    )
    display_name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)


class UserCreate(NewUser):
    """Self-registration (never an admin)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "carla@example.org",
                    "password": "correct horse battery",
                    "display_name": "Carla Customer",
                    "role": "customer",
                }
            ]
        },
    )

    role: SelfServiceRole = UserRole.CUSTOMER


class AdminUserCreate(NewUser):
    """A user created by an admin: any role, admins included."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "root@example.org",
                    "password": "a long admin passphrase",
                    "display_name": "Platform admin",
                    "role": "admin",
                }
            ]
        },
    )

    role: UserRole


class UserPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7c6a58-3f1e-4a55-9d0e-2f4f7b1f6c11",
                    "email": "carla@example.org",
                    "display_name": "Carla Customer",
                    "role": "customer",
                }
            ]
        }
    )

    id: str
    email: str
    display_name: str
    role: UserRole

    @classmethod
    def of(cls, user: UserRecord) -> UserPublic:
        return cls(id=user.id, email=user.email, display_name=user.display_name, role=user.role)


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1 access token response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOiJIUzI1NiIs...", "token_type": "bearer", "expires_in": 604800}
            ]
        }
    )

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the token is valid.")


class OAuthError(BaseModel):
    """RFC 6749 section 5.2 error response of the token endpoint."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"error": "invalid_grant", "error_description": "wrong e-mail or password"}]
        }
    )

    error: Literal[
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    ]
    error_description: str | None = None


class TokenForm(BaseModel):
    """The form of ``POST /auth/token`` (``application/x-www-form-urlencoded``), for the docs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "password",
                    "username": "carla@example.org",
                    "password": "correct horse battery",
                },
                {"grant_type": "client_credentials", "client_id": "cl_4f1c2a9e0b6d", "client_secret": "..."},
            ]
        }
    )

    grant_type: Literal["password", "client_credentials"]
    username: str | None = Field(default=None, max_length=320, description="password grant: the e-mail")
    password: str | None = Field(default=None, max_length=256, description="password grant")
    client_id: str | None = Field(
        default=None, max_length=64, description="client authentication in the body (or HTTP Basic)"
    )
    client_secret: str | None = Field(default=None, max_length=256)
    scope: str | None = Field(default=None, max_length=1000, description="ignored")


class ApiClientCreate(BaseModel):
    """A machine client to register (its secret is generated and shown once)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "ERP connector", "role": "manufacturer"}]},
    )

    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    role: SelfServiceRole = Field(description="The role the client acts with (never admin).")
    owner_user_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=TEXT_PATTERN,
        description="The user it acts for; default: the caller.",
    )


class ApiClientPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "cl_4f1c2a9e0b6d4e7f",
                    "name": "ERP connector",
                    "role": "manufacturer",
                    "owner_user_id": "0b7c6a58-3f1e-4a55-9d0e-2f4f7b1f6c11",
                    "created_at": "2026-11-25T18:00:00Z",
                }
            ]
        }
    )

    client_id: str
    name: str
    role: UserRole
    owner_user_id: str
    created_at: datetime

    @classmethod
    def of(cls, client: ApiClientRecord) -> ApiClientPublic:
        return cls(
            client_id=client.client_id,
            name=client.name,
            role=client.role,
            owner_user_id=client.owner_user_id,
            created_at=client.created_at,
        )


class ApiClientCreated(ApiClientPublic):
    client_secret: str = Field(description="Shown once: store it, it cannot be read again.")
