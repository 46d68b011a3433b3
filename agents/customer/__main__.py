"""``python -m agents.customer``: a simulated customer that places one order and follows it.

    python -m agents.customer --name customer --manufacturer manufacturer@localhost \
        --order order.json --policy customer-policy.json [--quotation-seconds 120] [--until delivered]

The order is an ontology Order (JSON), the policy a CustomerPolicy (its ``decide`` answers the
quotations; invoices are paid in full; a shipped order's delivery is confirmed at once). Prints
``READY <jid>`` once connected, then one JSON line per event (quotation, refused, declined, contracted,
failed, invoice, paid, delivered, delivery-failed, status), and exits 0 once the order is delivered (or paid,
with ``--until paid``) or ended without a contract (1 on failure or when the order was not delivered within
``--payment-seconds`` of its contract). This simulated customer has no ledger session: its ledger steps are
skipped (logged once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import timedelta
from pathlib import Path

from agents.customer.agent import CustomerAgent, CustomerTimings, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.customer.ledger_steps import LedgerStepFailed
from agents.runtime.child_process import READY
from common.settings import get_settings
from ontology.order import Order
from ontology.policy import CustomerPolicy


def print_event(event: OrderEvent) -> None:
    content = event.content.model_dump(mode="json") if event.content is not None else None
    line = {"order_id": str(event.order_id), "event": event.kind, "detail": event.detail, "content": content}
    print(json.dumps(line), flush=True)


async def run(args: argparse.Namespace, order: Order, policy: CustomerPolicy) -> int:
    timings = CustomerTimings(quotation=timedelta(seconds=args.quotation_seconds))
    agent = CustomerAgent(
        args.name, get_settings(), decisions=PolicyDecisions(policy), timings=timings, on_event=print_event
    )
    await agent.start()
    print(f"{READY} {agent.address}", flush=True)
    try:
        handle = agent.place_order(order, args.manufacturer)
        outcome = await handle.outcome
        if outcome.status != "contracted":
            return 0 if outcome.status in ("declined", "refused") else 1
        async with asyncio.timeout(args.payment_seconds):
            await handle.payment
            if args.until == "delivered":
                await handle.delivery
        return 0
    except (TimeoutError, LedgerStepFailed):
        return 1
    finally:
        await agent.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a simulated customer for one order.")
    parser.add_argument("--name", default="customer")
    parser.add_argument("--manufacturer", required=True, help="JID of the manufacturer agent")
    parser.add_argument("--order", required=True, help="Order JSON")
    parser.add_argument("--policy", required=True, help="CustomerPolicy JSON")
    parser.add_argument("--quotation-seconds", type=float, default=120.0)
    parser.add_argument(
        "--payment-seconds", type=float, default=600.0, help="bound on the wait from contract to --until"
    )
    parser.add_argument("--until", choices=("paid", "delivered"), default="delivered")
    args = parser.parse_args(argv)
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    order = Order.model_validate_json(Path(args.order).read_text())
    policy = CustomerPolicy.model_validate_json(Path(args.policy).read_text())
    sys.exit(asyncio.run(run(args, order, policy)))


if __name__ == "__main__":
    main()
