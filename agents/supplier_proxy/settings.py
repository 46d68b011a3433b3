"""Settings of the supplier proxies (bookings, and the supply agreements they sign on the ledger), prefixed
``LSO_SUPPLIERS_``."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SupplierProxySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSO_SUPPLIERS_", env_file=".env", extra="ignore")

    booking_hold_seconds: float = Field(
        default=90000.0,
        gt=0,
        description="How long a supplier proxy holds the machine hours of an offer it confirmed (an accepted "
        "offer) while no contract for the order names that offer; then the hours are free again. The default "
        "is the quotation validity (1 day) plus 1 hour.",
    )
    booking_check_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Interval at which the proxy host checks its held bookings against the store: the order "
        "contracted (or later) with the booked offer in its supply network confirms a booking; an order that "
        "is missing, of a manufacturer the requester is not bound to, declined, rejected, cancelled, failed "
        "or contracted without the offer releases it at once. Confirmed bookings are dropped once their "
        "delivery date has passed.",
    )
    max_requester_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Largest share (0 < share <= 1) of a supplier's machine hours until a call's delivery "
        "date that one requester (a manufacturer agent's JID) may hold in bookings no contract confirmed "
        "yet; a call beyond it is refused with reason capacity-share.",
    )

    ship_delay_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds after a supplier proxy signed a supply agreement on the ledger (its agreedAt, "
        "ledger time) until it ships the parts (Ship, with LSO_SUPPLIERS_CARRIER and a reference made of the "
        "supplier and order ids) and then invoices them (RaiseInvoice).",
    )
    ship_delay_overrides: dict[str, float] = Field(
        default_factory=dict,
        description="Per-supplier ship delay: JSON {supplier id: seconds} overriding "
        "LSO_SUPPLIERS_SHIP_DELAY_SECONDS for those suppliers.",
    )
    carrier: str = Field(
        default="DHL",
        min_length=1,
        description="Carrier a supplier proxy names when it ships parts.",
    )
    invoice_due_days: int = Field(
        default=30,
        ge=0,
        description="Days from the day a supplier proxy invoices a shipped supply agreement until the "
        "invoice is due.",
    )
    ledger_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Interval at which a supplier proxy host takes the due steps of the supply agreements "
        "it tracks on the ledger: shipping and invoicing, and confirming (ConfirmPayment) the manufacturer's "
        "payment claims on its open invoices.",
    )

    @field_validator("ship_delay_overrides")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        negative = sorted(k for k, v in value.items() if v < 0)
        if negative:
            raise ValueError(f"ship delays cannot be negative ({', '.join(negative)})")
        return value

    @property
    def booking_hold(self) -> timedelta:
        return timedelta(seconds=self.booking_hold_seconds)

    def ship_delay(self, supplier_id: str) -> timedelta:
        """How long ``supplier_id`` waits after signing before it ships (its override, else the default)."""
        return timedelta(seconds=self.ship_delay_overrides.get(supplier_id, self.ship_delay_seconds))
