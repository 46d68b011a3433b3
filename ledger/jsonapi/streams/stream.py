"""The body of a stream, as Daml's JSON API v1 sends it.

1. ``{"warnings": {"unknownTemplateIds": [...]}}`` if some template ids did not resolve;
2. unless every query resumes from an offset: the active contract set as ``{"events": [...]}`` blocks (no
   offset), then the live marker ``{"events": [], "offset": <ACS offset>}`` (``null`` on an empty ledger);
   when resuming, the transactions after the offset, then the live marker at the ledger end;
3. live: each transaction with matching events as ``{"events": [...], "offset": "..."}``; after
   ``heartbeat`` idle seconds ``{"events": [], "offset": <last offset>}`` (Daml's heartbeat; none while the
   ledger is empty, as in Daml). The token is re-checked at that pace: the stream ends with a 401/403 error
   frame when it expires or the user loses its rights.
"""

from __future__ import annotations

import time

from ledger.engine import EmbeddedLedger, format_offset
from ledger.jsonapi.auth import TokenVerifier
from ledger.jsonapi.streams import frames
from ledger.jsonapi.streams.auth import StreamAuth, recheck
from ledger.jsonapi.streams.frames import JsonDict, StreamError
from ledger.jsonapi.streams.plans import StreamPlan
from ledger.jsonapi.streams.session import Session
from ledger.jsonapi.streams.source import snapshot, transactions

#: Contracts per message of the initial active contract set (Daml's conflation: 100 creates).
ACS_BLOCK = 100


class Stream:
    def __init__(
        self,
        session: Session,
        ledger: EmbeddedLedger,
        plan: StreamPlan,
        auth: StreamAuth,
        verifier: TokenVerifier | None,
    ) -> None:
        self.session = session
        self.ledger = ledger
        self.plan = plan
        self.auth = auth
        self.verifier = verifier
        self.parties = auth.parties

    async def run(self) -> None:
        if self.plan.unresolved:
            await self.session.send(frames.warnings(self.plan.unresolved))
        acs_end: int | None = None
        if self.plan.acs_needed:
            acs_end = await self._send_acs()
        start = self.plan.live_start(acs_end)
        end = await self.ledger.ledger_end()
        if start > end:
            raise StreamError(
                400,
                f"offset {format_offset(start)} is after the ledger end {format_offset(end) or '(begin)'}",
            )
        if acs_end is None:
            await self._forward(start, end)
            await self.session.send(frames.events([], end))
            start = end
        await self._live(start)

    async def _send_acs(self) -> int:
        contracts, acs_end = await snapshot(self.ledger, self.parties, self.plan.template_ids)
        block: list[JsonDict] = []
        for contract in contracts:
            event = self.plan.acs_event(contract)
            if event is None:
                continue
            block.append(event)
            if len(block) >= ACS_BLOCK:
                await self.session.send(frames.events(block))
                block = []
        if block:
            await self.session.send(frames.events(block))
        await self.session.send(frames.events([], acs_end))
        return acs_end

    async def _forward(self, after: int, end: int) -> None:
        async for tx in transactions(self.ledger, self.parties, after, end):
            events = self.plan.tx_events(tx, self.parties)
            if events:
                await self.session.send(frames.events(events, tx.offset))

    async def _live(self, last: int) -> None:
        heartbeat = self.session.timing.heartbeat
        next_check = time.monotonic() + heartbeat
        while True:
            now = time.monotonic()
            if now >= next_check:
                recheck(self.verifier, self.auth, self.ledger.ledger_id)
                next_check = now + heartbeat
            idle_until = self.session.last_sent + heartbeat
            if now >= idle_until:
                if last > 0:
                    await self.session.send(frames.events([], last))
                else:
                    self.session.last_sent = now  # Daml sends no heartbeat before the first offset
                continue
            end = await self.ledger.wait_for_change(last, timeout=min(idle_until, next_check) - now)
            if end > last:
                await self._forward(last, end)
                last = end
