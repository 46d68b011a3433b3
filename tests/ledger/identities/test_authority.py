"""What the tokens allow, on the embedded ledger over real HTTP: the operator (ParticipantAdmin only) cannot
act as any party; a party's token acts and reads for its own party and for no other."""

from __future__ import annotations

import uuid

import pytest

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.identities import LedgerIdentities, LedgerIdentity, PartyRef
from ledger.jsonapi_client import JsonApiClient, LedgerAuthError, LedgerRejected
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from tests.ledger.identities.conftest import client_of

CUSTOMER_ORDER = f"{MODULE}:CustomerOrder"


async def _pair(identities: LedgerIdentities) -> tuple[LedgerIdentity, LedgerIdentity]:
    customer = await identities.ensure(PartyRef(role=PartyRole.CUSTOMER, platform_id=str(uuid.uuid4())))
    maker = await identities.ensure(PartyRef(role=PartyRole.MANUFACTURER, platform_id=str(uuid.uuid4())))
    return customer, maker


def _order(customer: LedgerIdentity, maker: LedgerIdentity) -> dict[str, object]:
    return samples.customer_order(f"order-{uuid.uuid4().hex[:8]}", customer.party, maker.party)


async def test_the_operator_cannot_act_as_any_party(
    ledger: LedgerProcess, operator: JsonApiClient, identities: LedgerIdentities
) -> None:
    customer, maker = await _pair(identities)
    with pytest.raises(LedgerAuthError) as refused:
        await operator.create(CUSTOMER_ORDER, _order(customer, maker), act_as=[customer.party])
    assert refused.value.status == 403
    with pytest.raises(LedgerAuthError) as no_party:
        await operator.create(CUSTOMER_ORDER, _order(customer, maker))
    assert no_party.value.status == 403
    with pytest.raises(LedgerAuthError):
        await operator.query([CUSTOMER_ORDER], readers=[customer.party])


async def test_a_party_acts_for_itself_and_for_no_other(
    ledger: LedgerProcess, identities: LedgerIdentities
) -> None:
    customer, maker = await _pair(identities)
    async with client_of(ledger, customer.user_id) as own, client_of(ledger, maker.user_id) as theirs:
        created = await own.create(CUSTOMER_ORDER, _order(customer, maker), act_as=[customer.party])
        assert created.signatories == (customer.party,)
        assert [c.contract_id for c in await own.query([CUSTOMER_ORDER])] == [created.contract_id]

        with pytest.raises(LedgerAuthError) as as_other:
            await own.create(CUSTOMER_ORDER, _order(customer, maker), act_as=[maker.party])
        assert as_other.value.status == 403
        with pytest.raises(LedgerAuthError):
            await own.query([CUSTOMER_ORDER], readers=[maker.party])
        # the manufacturer's own token cannot sign the customer's order: the customer is its signatory
        with pytest.raises(LedgerRejected) as unsigned:
            await theirs.create(CUSTOMER_ORDER, _order(customer, maker), act_as=[maker.party])
        assert unsigned.value.status == 400
        assert "DAML_AUTHORIZATION_ERROR" in " ".join(unsigned.value.errors)
        assert [c.contract_id for c in await theirs.query([CUSTOMER_ORDER])] == [created.contract_id]
