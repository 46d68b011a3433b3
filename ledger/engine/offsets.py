"""Offsets on the wire: 16 lowercase hex digits, so they sort as strings; ``""`` is the ledger begin."""

from __future__ import annotations

from ledger.engine.errors import ValidationError


def format_offset(offset: int) -> str:
    """The wire form of an offset: 16 lowercase hex digits ("" for the ledger begin, offset 0)."""
    return "" if offset <= 0 else f"{offset:016x}"


def parse_offset(text: str) -> int:
    """Inverse of :func:`format_offset`; raises :class:`ValidationError` on a malformed offset."""
    if not text:
        return 0
    try:
        return int(text, 16)
    except ValueError:
        raise ValidationError(f"malformed offset {text!r}") from None
