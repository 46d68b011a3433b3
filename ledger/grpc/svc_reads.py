"""ActiveContractsService and TransactionService: snapshots and (tailing) transaction streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from dazl._gen.com.daml.ledger.api import v1 as lapi

from ledger.engine.model import CreatedEvent, TemplateId, Transaction
from ledger.grpc.context import LedgerContext, abort, streaming, unary
from ledger.grpc.convert import offset_text, parse_offset
from ledger.grpc.registry import V1, Service

#: Active contracts per GetActiveContracts response message.
ACS_BATCH = 100
#: How long a tailing stream waits for a new transaction before checking the call is still alive.
TAIL_POLL_SECONDS = 1.0


def _filter(request_filter: lapi.TransactionFilter) -> tuple[set[str], set[str] | None]:
    """The requested parties and template names (``Module:Entity``; None: every template)."""
    parties = set(request_filter.filters_by_party)
    if not parties:
        abort(grpc.StatusCode.INVALID_ARGUMENT, "the transaction filter names no party")
    names: set[str] | None = set()
    for filters in request_filter.filters_by_party.values():
        inclusive = filters.inclusive
        ids = [*inclusive.template_ids, *(f.template_id for f in inclusive.template_filters)]
        if not filters.HasField("inclusive") or (not ids and not inclusive.interface_filters):
            names = None
            break
        assert names is not None
        names |= {f"{i.module_name}:{i.entity_name}" for i in ids}
    return parties, names


class ReadServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    def _readable(
        self, request_filter: lapi.TransactionFilter, context: grpc.aio.ServicerContext
    ) -> tuple[set[str], set[str] | None]:
        claims = self.ctx.claims(context)
        parties, names = _filter(request_filter)
        if not claims.may_read(parties):
            abort(grpc.StatusCode.PERMISSION_DENIED, "the filter names parties the token may not read as")
        return parties, names

    # -- ActiveContractsService ------------------------------------------------------------------------

    @streaming
    async def get_active_contracts(
        self, request: lapi.GetActiveContractsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[lapi.GetActiveContractsResponse]:
        self.ctx.check_ledger_id(request.ledger_id)
        parties, names = self._readable(request.filter, context)
        if request.active_at_offset:
            abort(
                grpc.StatusCode.UNIMPLEMENTED, "active_at_offset is not supported: the snapshot is at the end"
            )
        templates = None if names is None else [TemplateId.parse(n) for n in names]
        contracts, offset = await self.ctx.engine.active_contracts(parties, templates)
        events = []
        for c in contracts:
            created = CreatedEvent(
                event_id=f"#{c.contract_id}:acs",
                contract_id=c.contract_id,
                template_id=c.template_id,
                payload=c.payload,
                signatories=c.signatories,
                observers=c.observers,
                witnesses=(),
            )
            events.append(self.ctx.convert.created(created, c.stakeholders & parties, c.created_at))
        for start in range(0, len(events), ACS_BATCH):
            yield lapi.GetActiveContractsResponse(active_contracts=events[start : start + ACS_BATCH])
        yield lapi.GetActiveContractsResponse(offset=offset_text(offset))

    # -- TransactionService ------------------------------------------------------------------------------

    @unary
    async def get_ledger_end(
        self, request: lapi.GetLedgerEndRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetLedgerEndResponse:
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        end = await self.ctx.engine.ledger_end()
        return lapi.GetLedgerEndResponse(offset=lapi.LedgerOffset(absolute=offset_text(end)))

    async def _offset(self, offset: lapi.LedgerOffset, default: int | None) -> int | None:
        kind = offset.WhichOneof("value")
        if kind == "absolute":
            return parse_offset(offset.absolute)
        if kind == "boundary":
            if offset.boundary == lapi.LedgerOffset.LedgerBoundary.LEDGER_BEGIN:
                return 0
            return await self.ctx.engine.ledger_end()
        return default

    async def _transactions(
        self, request: lapi.GetTransactionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Transaction]:
        """Transactions in (begin, end] some requested party witnesses; without ``end``, tails forever."""
        self.ctx.check_ledger_id(request.ledger_id)
        parties, _ = self._readable(request.filter, context)
        begin = await self._offset(request.begin, 0)
        end = await self._offset(request.end, None) if request.HasField("end") else None
        ledger_end = await self.ctx.engine.ledger_end()
        assert begin is not None
        if begin > ledger_end or (end is not None and end > ledger_end):
            abort(grpc.StatusCode.OUT_OF_RANGE, f"offset beyond the ledger end {offset_text(ledger_end)}")
        if end is not None and end < begin:
            abort(grpc.StatusCode.INVALID_ARGUMENT, "end offset is before begin offset")
        cursor = begin
        while end is None or cursor < end:
            # read up to a fixed upper offset, so that a commit landing while we yield is not skipped
            upper = await self.ctx.engine.ledger_end() if end is None else end
            async for tx in self.ctx.engine.iter_transactions(parties, cursor, upper):
                yield tx
            cursor = upper
            if end is None:
                if context.done():
                    return
                await self.ctx.engine.wait_for_change(cursor, timeout=TAIL_POLL_SECONDS)

    @streaming
    async def get_transactions(
        self, request: lapi.GetTransactionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[lapi.GetTransactionsResponse]:
        parties, names = _filter(request.filter)
        async for tx in self._transactions(request, context):
            flat = self.ctx.convert.flat(tx, parties, names)
            if flat.events:
                yield lapi.GetTransactionsResponse(transactions=[flat])

    @streaming
    async def get_transaction_trees(
        self, request: lapi.GetTransactionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[lapi.GetTransactionTreesResponse]:
        parties, _ = _filter(request.filter)
        async for tx in self._transactions(request, context):
            tree = self.ctx.convert.tree(tx, parties)
            if tree.events_by_id:
                yield lapi.GetTransactionTreesResponse(transactions=[tree])

    async def _by_id(
        self, request: lapi.GetTransactionByIdRequest, context: grpc.aio.ServicerContext
    ) -> tuple[Transaction, set[str]]:
        claims = self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        parties = set(request.requesting_parties)
        if not parties or not claims.may_read(parties):
            abort(grpc.StatusCode.PERMISSION_DENIED, "requesting_parties must be parties the token reads as")
        tx = await self.ctx.engine.transaction_by_id(request.transaction_id)
        if tx is None or not tx.visible_to(parties):
            abort(grpc.StatusCode.NOT_FOUND, f"transaction {request.transaction_id!r} not found")
        return tx, parties

    @unary
    async def get_transaction_by_id(
        self, request: lapi.GetTransactionByIdRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetTransactionResponse:
        tx, parties = await self._by_id(request, context)
        return lapi.GetTransactionResponse(transaction=self.ctx.convert.tree(tx, parties))

    @unary
    async def get_flat_transaction_by_id(
        self, request: lapi.GetTransactionByIdRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetFlatTransactionResponse:
        tx, parties = await self._by_id(request, context)
        return lapi.GetFlatTransactionResponse(transaction=self.ctx.convert.flat(tx, parties))

    def services(self) -> list[Service]:
        acs = Service(f"{V1}.ActiveContractsService")
        acs.stream("GetActiveContracts", lapi.GetActiveContractsRequest, self.get_active_contracts)
        txs = Service(f"{V1}.TransactionService")
        txs.unary("GetLedgerEnd", lapi.GetLedgerEndRequest, self.get_ledger_end)
        txs.stream("GetTransactions", lapi.GetTransactionsRequest, self.get_transactions)
        txs.stream("GetTransactionTrees", lapi.GetTransactionsRequest, self.get_transaction_trees)
        txs.unary("GetTransactionById", lapi.GetTransactionByIdRequest, self.get_transaction_by_id)
        txs.unary("GetFlatTransactionById", lapi.GetTransactionByIdRequest, self.get_flat_transaction_by_id)
        return [acs, txs]
