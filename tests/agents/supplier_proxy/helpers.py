"""A supplier, its policy and calls for proposals for the proxy tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from agents.runtime.directory import StaticDirectory
from agents.supplier_proxy import ProxyHost
from common.settings import Settings
from federation.pricing import PriceModel
from ontology.negotiation import CallForProposals
from ontology.policy import NegotiationStrategy, SupplierPolicy
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart
from ontology.supplier import Capability, Location, Supplier
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TODAY = T0.date()
ORDER = UUID("12345678-1234-5678-1234-567812345678")

SUPPLIER = Supplier(
    id="SUP-1",
    name="Laser & Co",
    location=Location(country="DE", city="Bremen", latitude=53.08, longitude=8.8),
    capabilities=(
        Capability(
            process=ProcessKind.LASER_CUTTING,
            materials=("steel", "aluminium"),
            max_quality=QualityLevel.PREMIUM,
            capacity_hours_per_week=40,
            lead_time_days=3,
        ),
    ),
)
PRICE = PriceModel(setup_cost=Decimal("20"), hourly_rate=Decimal("60"))


def policy(strategy: NegotiationStrategy = NegotiationStrategy.LINEAR, max_rounds: int = 3) -> SupplierPolicy:
    return SupplierPolicy(
        strategy=strategy,
        hourly_rate=Decimal("60"),
        setup_cost=Decimal("20"),
        min_margin=Decimal("0.05"),
        target_margin=Decimal("0.40"),
        capacity_hours_per_week=40,
        lead_time_days=2,
        max_rounds=max_rounds,
    )


def part(**changes: object) -> RequiredPart:
    fields: dict[str, object] = {
        "part_id": "frame",
        "process": ProcessKind.LASER_CUTTING,
        "material": "steel",
        "machine_minutes": 60.0,
        "quantity": 2,
    }
    fields.update(changes)
    return RequiredPart.model_validate(fields)


def cfp(
    round_number: int = 1,
    target: str | None = None,
    delivery: date | None = None,
    order: UUID = ORDER,
    **part_changes: object,
) -> CallForProposals:
    return CallForProposals(
        order_id=order,
        part=part(**part_changes),
        delivery_date=delivery or TODAY + timedelta(days=14),
        reply_by=T0 + timedelta(seconds=10),
        round=round_number,
        target_price=None if target is None else Decimal(target),
    )


MAKER = "maker@local"
OUTSIDER = "mallory@local"


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingHost(ProxyHost):
    """A proxy host that is never connected: what it sends is recorded in :attr:`sent`."""

    def __init__(self, settings: Settings, clock: Clock, **options: Any) -> None:
        super().__init__("suppliers", settings, clock=clock, **options)
        self.sent: list[AclMessage] = []
        self.directory: StaticDirectory = StaticDirectory([(MAKER, AgentRole.MANUFACTURER, "maker-1")])

    def send_acl(self, message: AclMessage) -> None:
        self.sent.append(message)

    def host(self, supplier: Supplier = SUPPLIER, **options: Any) -> str:
        """Host a proxy for ``supplier`` whose today is :data:`TODAY`."""
        address = self.add(supplier, policy(), {ProcessKind.LASER_CUTTING: PRICE}, **options)
        proxy = self.proxy(address)
        assert proxy is not None
        proxy.today = lambda: TODAY
        return address

    def replies(self, conversation_id: str) -> list[AclMessage]:
        return [m for m in self.sent if m.conversation_id == conversation_id]

    async def call(self, sender: str, proxy: str, call: CallForProposals) -> AclMessage:
        """Send a cfp opening a new Iterated Contract Net; the proxy's answer."""
        message = AclMessage.build(
            Performative.CFP,
            sender,
            proxy,
            call,
            protocol=ProtocolName.ITERATED_CONTRACT_NET,
            conversation_id=new_id(),
        )
        self.deliver_to_proxy(proxy, message)
        await self.drain()
        [answer] = self.replies(message.conversation_id or "")
        return answer

    def reply(self, to: AclMessage, performative: Performative) -> list[AclMessage]:
        """Answer the proxy's ``to`` with ``performative`` (its content sent back); what the proxy sends."""
        reply = to.create_reply(performative, to.content, sender=to.receivers[0])
        before = len(self.sent)
        self.deliver_to_proxy(to.sender, reply)
        return self.sent[before:]
