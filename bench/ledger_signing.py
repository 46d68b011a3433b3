"""What it costs that each party signs for itself: an order's contracting (the customer's signed order, the
manufacturer's acceptance, a supply proposal and the supplier's acceptance per supplier) through one ledger
session per party (each its own ledger user and token, its own JSON API client), against the same steps
through one session whose user may act as every party (the way the platform signed before model v2), on one
embedded ledger process over real HTTP.

    python -m bench.ledger_signing --out bench-ledger-signing.json [--orders 40] [--suppliers 2]
        [--concurrency 8] [--rounds 3]

Per round, both ways, alternating (so the machine's load hits both alike), ``orders`` orders (fresh ids) at
``concurrency`` at a time; writes (and prints) one JSON object: orders contracted per second and the median
and p95 latency of one order's contracting (ms) of the best round of each, and ``per_party_over_shared``
(ratio of the throughputs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.identities import LedgerOnboarding, PartyRef, SignedUserTokens, user_token_provider
from ledger.jsonapi_client import JsonApiClient
from ledger.lifecycle import Item, OrderTerms, PartyLedger, SupplyTerms
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole

SECRET = "bench-ledger-signing-secret-0123456789"
OPERATOR = "bench-operator"
EVERY_PARTY = "bench-every-party"


@dataclass(frozen=True)
class Sessions:
    """The customer's, the manufacturer's and each supplier's session."""

    customer: PartyLedger
    manufacturer: PartyLedger
    suppliers: tuple[PartyLedger, ...]


def _client(url: str, tokens: SignedUserTokens, user: str) -> JsonApiClient:
    return JsonApiClient(url, user_token_provider(tokens, user), timeout=30.0)


async def _onboard(url: str, tokens: SignedUserTokens, suppliers: int) -> dict[str, tuple[str, str]]:
    """Every party onboarded by the operator: role name -> (party id as allocated, its user)."""
    who = [PartyRef(role=PartyRole.CUSTOMER, platform_id="bench-customer", display_name="Customer")]
    who.append(PartyRef(role=PartyRole.MANUFACTURER, platform_id="bench-maker", display_name="Maker"))
    who += [
        PartyRef(role=PartyRole.SUPPLIER, platform_id=f"bench-sup-{i}", display_name=f"Supplier {i}")
        for i in range(suppliers)
    ]
    async with _client(url, tokens, OPERATOR) as operator:
        onboarding = LedgerOnboarding(operator)
        made = [await onboarding.onboard(ref) for ref in who]
    names = ["customer", "manufacturer", *(f"sup-{i}" for i in range(suppliers))]
    return {name: (identity.party, identity.user_id) for name, identity in zip(names, made, strict=True)}


def _terms(
    order_id: str, parties: dict[str, tuple[str, str]], suppliers: int
) -> tuple[OrderTerms, list[SupplyTerms]]:
    delivery = date.today() + timedelta(days=30)
    order = OrderTerms(
        order_id=order_id,
        customer=parties["customer"][0],
        manufacturer=parties["manufacturer"][0],
        product_id="bike",
        quantity=1,
        items=(Item(item_id="bike", quantity=1, price=Decimal("500")),),
        price=Decimal("500"),
        currency="EUR",
        delivery_date=delivery,
    )
    supplies = [
        SupplyTerms(
            order_id=order_id,
            manufacturer=parties["manufacturer"][0],
            supplier=parties[f"sup-{i}"][0],
            items=(Item(item_id=f"part-{i}", quantity=1, price=Decimal("100")),),
            price=Decimal("100"),
            currency="EUR",
            delivery_date=delivery - timedelta(days=5),
        )
        for i in range(suppliers)
    ]
    return order, supplies


async def _contract(sessions: Sessions, order: OrderTerms, supplies: list[SupplyTerms]) -> float:
    """One order's contracting, each step by its party; its latency in ms."""
    start = time.perf_counter()
    await sessions.customer.place_order(order)
    await sessions.manufacturer.accept_order(order)
    for supplier, terms in zip(sessions.suppliers, supplies, strict=True):
        await sessions.manufacturer.propose_supply(terms)
        await supplier.accept_supply(terms)
    return (time.perf_counter() - start) * 1000


async def _run(
    sessions: Sessions, parties: dict[str, tuple[str, str]], orders: int, concurrency: int
) -> dict[str, float]:
    run = uuid.uuid4().hex[:8]
    gate = asyncio.Semaphore(concurrency)
    suppliers = len(sessions.suppliers)

    async def one(i: int) -> float:
        async with gate:
            return await _contract(sessions, *_terms(f"bench-{run}-{i}", parties, suppliers))

    start = time.perf_counter()
    latencies = await asyncio.gather(*(one(i) for i in range(orders)))
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "orders_per_second": orders / elapsed,
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
    }


async def measure(orders: int, suppliers: int, concurrency: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lso-bench-signing-") as tmp:
        users = {OPERATOR: {"admin": True}, EVERY_PARTY: {"actAsAnyParty": True}}
        ledger = LedgerProcess(Path(tmp), secret=SECRET, env={"LSO_LEDGER_AUTH_USERS": json.dumps(users)})
        await ledger.astart()
        try:
            url = ledger.info.json_api
            tokens = SignedUserTokens(SECRET)
            parties = await _onboard(url, tokens, suppliers)
            own = {name: _client(url, tokens, user) for name, (_, user) in parties.items()}
            shared = _client(url, tokens, EVERY_PARTY)
            ways = {
                "per_party": Sessions(
                    PartyLedger(own["customer"], parties["customer"][0]),
                    PartyLedger(own["manufacturer"], parties["manufacturer"][0]),
                    tuple(PartyLedger(own[f"sup-{i}"], parties[f"sup-{i}"][0]) for i in range(suppliers)),
                ),
                "shared": Sessions(
                    PartyLedger(shared, parties["customer"][0]),
                    PartyLedger(shared, parties["manufacturer"][0]),
                    tuple(PartyLedger(shared, parties[f"sup-{i}"][0]) for i in range(suppliers)),
                ),
            }
            results: dict[str, list[dict[str, float]]] = {"per_party": [], "shared": []}
            try:
                for r in range(rounds):
                    order = ("per_party", "shared") if r % 2 == 0 else ("shared", "per_party")
                    for way in order:
                        results[way].append(await _run(ways[way], parties, orders, concurrency))
            finally:
                for client in (*own.values(), shared):
                    await client.aclose()
        finally:
            await ledger.astop()
    best = {way: max(runs, key=lambda r: r["orders_per_second"]) for way, runs in results.items()}
    return {
        "orders": orders,
        "suppliers_per_order": suppliers,
        "concurrency": concurrency,
        "rounds": rounds,
        **best,
        "per_party_over_shared": best["per_party"]["orders_per_second"] / best["shared"]["orders_per_second"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--suppliers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = asyncio.run(measure(args.orders, args.suppliers, args.concurrency, args.rounds))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
