"""Delivery slack: how many days before the requested date the agreed delivery comes."""

from __future__ import annotations

from datetime import date


def delivery_slack_days(requested: date, agreed: date) -> int:
    """Requested minus agreed delivery, in days: positive is early, negative late."""
    return (requested - agreed).days
