"""Settings of the bridge to the agents and of the push channels, prefixed ``LSO_BRIDGE_``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BridgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_BRIDGE_", env_file=".env", extra="ignore")

    customer_agent: str = Field(
        default="customers",
        description="Node name (or JID) of the one customer agent acting for every app customer.",
    )
    console_agent: str = Field(
        default="console",
        description="Node name (or JID) of the console agent sending the manufacturers' manual steps; "
        "manufacturer agents must trust it (their consoles).",
    )
    request_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long a console request waits for the manufacturer agent."
    )
    answer_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a customer's answer or payment waits for the quotation or invoice to reach "
        "the customer agent (the push event may arrive first).",
    )
    history_poll_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Interval of the tail of the order status history that feeds events no agent "
        "reported; 0 turns it off.",
    )
    subscriber_queue: int = Field(
        default=256, ge=1, description="Events a push connection may fall behind before it is dropped."
    )
    replay_events: int = Field(
        default=1000, ge=1, description="Recent events kept for replay (SSE Last-Event-ID)."
    )
    heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        description="Idle interval after which SSE streams send a comment and WebSockets a ping message; "
        "the token is checked again then (revoked or expired: the stream ends).",
    )
