"""Where a stream's data comes from: the engine's stored log, read in small offset ranges.

A stream never holds more than one page of transactions: it reads them ``PAGE`` at a time through the
engine's paged reader ``EmbeddedLedger.iter_transactions`` (storage, or the engine's small cache of the
newest transactions) and waits for new commits with ``EmbeddedLedger.wait_for_change``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ledger.engine import Contract, EmbeddedLedger, TemplateId, Transaction

#: Offsets read per query of the log.
PAGE = 64


async def transactions(
    ledger: EmbeddedLedger, parties: frozenset[str] | None, after: int, end: int
) -> AsyncIterator[Transaction]:
    """Transactions ``parties`` (None: all) witness with ``after < offset <= end``, in offset order."""
    async for tx in ledger.iter_transactions(parties, after, end, page_size=PAGE):
        yield tx


async def snapshot(
    ledger: EmbeddedLedger, parties: frozenset[str] | None, template_ids: list[TemplateId]
) -> tuple[list[Contract], int]:
    """The active contracts of ``template_ids`` that ``parties`` (None: all) see, and their offset."""
    if parties is None:
        parties = frozenset(p.party for p in await ledger.list_parties())
    return await ledger.active_contracts(parties, template_ids)
