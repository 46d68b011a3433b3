"""Settings of the supplier proxies' bookings, prefixed ``LSO_SUPPLIERS_``."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
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

    @property
    def booking_hold(self) -> timedelta:
        return timedelta(seconds=self.booking_hold_seconds)
