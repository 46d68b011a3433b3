"""When to accept the opponent's offer (the AC_next rule, with a reservation floor)."""

from __future__ import annotations

DEADLINE = 1.0


def accepts(offer_utility: float, *, next_target: float, reservation: float, t: float) -> bool:
    """Accept an offer worth ``offer_utility`` to me?

    Yes when it is at least what I would ask next (``next_target``), or, at the deadline
    (``t >= 1``), when it is at least my ``reservation``. Never below ``reservation``.
    """
    if offer_utility < reservation:
        return False
    return offer_utility >= next_target or t >= DEADLINE
