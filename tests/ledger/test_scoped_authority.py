"""An agent gets the ledger sessions of its own parties only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ledger.jsonapi_client import TokenProvider, static_token
from ledger.lifecycle.scoped import OutsideScope, ScopedAuthority
from ontology.contract import PartyRole


@dataclass(frozen=True)
class _Authority:
    party: str
    user_id: str
    token: TokenProvider


class _Source:
    def __init__(self) -> None:
        self.asked: list[tuple[PartyRole, str]] = []

    async def session_for(self, role: PartyRole, platform_id: str, display_name: str = "") -> _Authority:
        self.asked.append((role, platform_id))
        return _Authority(f"{platform_id}::1220ab", f"lso-{role}-{platform_id}", static_token("t"))


async def test_a_role_scope_answers_its_role_only() -> None:
    source = _Source()
    customers = ScopedAuthority(source, PartyRole.CUSTOMER)
    assert (await customers.session_for(PartyRole.CUSTOMER, "alice")).party == "alice::1220ab"
    with pytest.raises(OutsideScope, match="acts for every customer, not for supplier SUP-1"):
        await customers.session_for(PartyRole.SUPPLIER, "SUP-1")
    assert source.asked == [(PartyRole.CUSTOMER, "alice")]


async def test_a_manufacturer_scope_answers_its_own_manufacturer_only() -> None:
    source = _Source()
    mine = ScopedAuthority(source, PartyRole.MANUFACTURER, ["bikes"])
    await mine.session_for(PartyRole.MANUFACTURER, "bikes")
    with pytest.raises(OutsideScope, match="manufacturer bikes, not for manufacturer rival"):
        await mine.session_for(PartyRole.MANUFACTURER, "rival")
    with pytest.raises(OutsideScope):
        await mine.session_for(PartyRole.CUSTOMER, "alice")
    assert source.asked == [(PartyRole.MANUFACTURER, "bikes")]
