"""A distributed run: the suppliers' :class:`ProxyHost` agents in their own OS process, the
manufacturer's :class:`agents.manufacturer.sourcing.Sourcing` in this one, each an XMPP client of a
real server (an embedded pyjabber on a free loopback port, or the server the LSO_XMPP_* settings
name). Orders are served one after another in arrival order, their parts one after another (the
arrival times themselves are not waited for), as in a fast run.

Accounts: the run creates each agent's account (a fresh random password in the account book of the settings'
data directory) before the agent starts: on the embedded server it started, or, with an external server, in
the embedded server's database of that data directory (``lso xmpp serve`` on it); on any other server an
admin creates them. Authority: the scenario decides who is who, so every agent's directory is the run's
:class:`~agents.runtime.directory.StaticDirectory` (:func:`~simulation.distributed.spec.bindings_of`).
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path

from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.sourcing import Sourcing
from agents.runtime.accounts.provision import AccountServer, EmbeddedAccounts, create_accounts
from agents.runtime.child_process import spawn
from agents.runtime.directory import StaticDirectory
from agents.runtime.embedded_server import EmbeddedXmppServer
from agents.runtime.ports import free_port
from common.settings import Settings, XmppMode
from simulation.distributed.buyer import RecordedBuyer
from simulation.distributed.spec import suppliers_spec
from simulation.fast.engine import Progress, timings_of
from simulation.plan import Plan
from simulation.recorder import PartContext, Recorder

SUPPLIERS_MODULE = "simulation.distributed.suppliers"
READY_TIMEOUT = 120.0


@asynccontextmanager
async def xmpp_server(
    settings: Settings, stack: AsyncExitStack
) -> AsyncIterator[tuple[Settings, AccountServer]]:
    """``settings`` pointing at a running server (the external one, or an embedded pyjabber started here),
    and where the run's accounts are created."""
    if settings.xmpp_mode is not XmppMode.EMBEDDED:
        yield settings, EmbeddedAccounts(settings)
        return
    directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lso-sim-xmpp-")))
    private = settings.model_copy(
        update={"data_dir": directory, "xmpp_port": free_port(), "xmpp_s2s_port": free_port()}
    )
    server = EmbeddedXmppServer(private)
    await server.start()
    try:
        yield private.model_copy(update={"xmpp_mode": XmppMode.EXTERNAL}), server
    finally:
        await server.stop()


async def run_distributed(plan: Plan, recorder: Recorder, settings: Settings, *, progress: Progress) -> None:
    async with AsyncExitStack() as stack:
        server, accounts = await stack.enter_async_context(xmpp_server(settings, stack))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lso-sim-")))
        spec_file = work / "suppliers.json"
        prefix = f"sim-suppliers-{uuid.uuid4().hex[:8]}"
        spec = suppliers_spec(plan, prefix, server.xmpp_domain)
        spec_file.write_text(spec.model_dump_json(), encoding="utf-8")
        manufacturers = plan.scenario_manufacturers()
        await create_accounts(
            server, [*manufacturers, *(h.name for h in spec.hosts)], accounts, actor="simulation"
        )
        quiet = {"LSO_LOG_LEVEL": "WARNING"} if server.log_level.upper() in ("INFO", "DEBUG") else {}
        child = await spawn(
            SUPPLIERS_MODULE, [str(spec_file)], server, ready_timeout=READY_TIMEOUT, extra_env=quiet
        )
        stack.push_async_callback(child.stop)
        hosts = child.ready_line.split()
        directory = StaticDirectory(spec.bindings)
        buyers = {m: RecordedBuyer(m, server, recorder) for m in manufacturers}
        for buyer in buyers.values():
            buyer.directory = directory
            await buyer.start()
            stack.push_async_callback(buyer.stop)
        await _serve_orders(plan, recorder, buyers, hosts, progress)
        await asyncio.sleep(0.2)  # the last rejects and late answers still reach the recorder


async def _serve_orders(
    plan: Plan, recorder: Recorder, buyers: dict[str, RecordedBuyer], hosts: list[str], progress: Progress
) -> None:
    spec = plan.scenario.negotiation
    timings = timings_of(plan)

    async def nothing(_: object) -> None:
        return None

    for cell, host in zip(plan.cells, hosts, strict=True):
        for order in cell.orders:
            policy = cell.policies[order.manufacturer]
            buyer = buyers[order.manufacturer]
            scorer = NegotiationScorer(policy.strategy, seed=cell.seed)
            for part in order.parts:
                context = PartContext(
                    cell, order, part, policy, plan.today, spec.buyer_reservation_price, spec.outcome_space
                )
                sourcing = Sourcing(
                    agent=buyer,
                    policy=policy,
                    scorer=scorer,
                    timings=timings,
                    persist=nothing,
                    track=partial(recorder.open, context=context),
                )
                candidates = order.candidates[part.part_id]
                suppliers = [
                    cell.supplier(s).record.to_supplier().model_copy(update={"agent": f"{host}/{s}"})
                    for s in candidates
                ]
                await sourcing.source(order.order_id, part, suppliers, order.latest)
                progress(len(candidates))
