"""The bridge's own agents for a test: a customer agent and a console agent under fresh names, their accounts
created and bound as `lso run` binds them."""

from __future__ import annotations

import uuid

from common.settings import Settings
from gateway.bridge.settings import BridgeSettings
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from tests.xmpp_accounts import bind, create_account


async def bridge_agents(settings: Settings, db: Database, *, answer_wait_seconds: float) -> BridgeSettings:
    """Bridge settings naming the two agents (no history polling), their accounts made and bound in ``db``."""
    config = BridgeSettings(
        _env_file=None,
        customer_agent=f"customers-{uuid.uuid4().hex[:8]}",
        console_agent=f"console-{uuid.uuid4().hex[:8]}",
        history_poll_seconds=0,
        answer_wait_seconds=answer_wait_seconds,
    )
    for node, role, party in (
        (config.customer_agent, AgentRole.CUSTOMER, ANY_PARTY),
        (config.console_agent, AgentRole.PLATFORM, "console"),
    ):
        await create_account(settings, node)
        await bind(db, f"{node}@{settings.xmpp_domain}", role, party)
    return config
