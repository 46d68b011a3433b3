"""The names onboarding asks for: deterministic, valid for Daml and Canton, distinct for distinct ids."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ledger.engine.users import USER_ID_RE
from ledger.identities.naming import MAX_HINT, ledger_user_id, party_hint
from ontology.contract import PartyRole

HINT_RE = re.compile(r"^[A-Za-z0-9_-]+$")
ids = st.text(min_size=1, max_size=300)
roles = st.sampled_from(list(PartyRole))


def test_plain_ids_stay_readable() -> None:
    assert party_hint(PartyRole.SUPPLIER, "SUP-0001") == "supplier-SUP-0001"
    assert ledger_user_id(PartyRole.CUSTOMER, "9b1c0c1e-4a51-4a8e-9f55-0d0b7e0c2a11") == (
        "lso-customer-9b1c0c1e-4a51-4a8e-9f55-0d0b7e0c2a11"
    )
    assert re.fullmatch(r"lso-supplier-sup-0001-[0-9a-f]{10}", ledger_user_id(PartyRole.SUPPLIER, "SUP-0001"))


@given(roles, ids)
def test_names_are_valid_and_deterministic(role: PartyRole, platform_id: str) -> None:
    hint, user = party_hint(role, platform_id), ledger_user_id(role, platform_id)
    assert HINT_RE.match(hint) and len(hint) <= MAX_HINT and "::" not in hint
    assert USER_ID_RE.match(user) and user == user.lower()
    assert (hint, user) == (party_hint(role, platform_id), ledger_user_id(role, platform_id))


@given(roles, ids, ids)
def test_distinct_ids_get_distinct_names(role: PartyRole, one: str, other: str) -> None:
    if one != other:
        assert party_hint(role, one) != party_hint(role, other)
        assert ledger_user_id(role, one) != ledger_user_id(role, other)


@given(ids)
def test_roles_never_share_names(platform_id: str) -> None:
    assert len({party_hint(role, platform_id) for role in PartyRole}) == len(PartyRole)
    assert len({ledger_user_id(role, platform_id) for role in PartyRole}) == len(PartyRole)
