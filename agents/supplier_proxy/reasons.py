"""Why a supplier proxy refuses a call for proposals, or fails after an acceptance (``Reason.reason``)."""

from __future__ import annotations

PROCESS_NOT_SUPPORTED = "process-not-supported"
MATERIAL_NOT_SUPPORTED = "material-not-supported"
QUALITY_NOT_SUPPORTED = "quality-not-supported"
CURRENCY_NOT_SUPPORTED = "currency-not-supported"
CANNOT_MEET_DATE = "cannot-meet-date"
CAPACITY = "capacity"
CONFIGURED_FAILURE = "configured-failure"
OFFER_UNKNOWN = "offer-unknown"
CAPACITY_SHARE = "capacity-share"
"""The requester already holds (unconfirmed) as much of the supplier's capacity as one requester may
(``LSO_SUPPLIERS_MAX_REQUESTER_SHARE``)."""
TOO_MANY_BOOKINGS = "too-many-bookings"
"""The supplier keeps as many bookings as it can track; none is taken until some are released."""
