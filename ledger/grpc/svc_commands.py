"""CommandService and CommandSubmissionService: one command batch = one engine transaction, synchronously."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc
from dazl._gen.com.daml.ledger.api import v1 as lapi
from google.protobuf import duration_pb2, empty_pb2

from ledger.engine import DedupDuration, DeduplicationPeriod, DedupOffset, parse_offset
from ledger.engine.model import Transaction
from ledger.grpc.context import LedgerContext, abort, streaming, unary
from ledger.grpc.convert import offset_text
from ledger.grpc.registry import V1, Service


def deduplication_period(commands: lapi.Commands) -> DeduplicationPeriod | None:
    """``Commands.deduplication_period``: ``deduplication_duration`` (or the deprecated
    ``deduplication_time``) or ``deduplication_offset``; None when unset (the ledger's maximum applies)."""
    kind = commands.WhichOneof("deduplication_period")
    if kind in ("deduplication_duration", "deduplication_time"):
        duration = getattr(commands, kind)
        return DedupDuration(duration.seconds + duration.nanos / 1e9)
    if kind == "deduplication_offset":
        return DedupOffset(parse_offset(commands.deduplication_offset))
    return None


class CommandServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    async def _submit(self, commands: lapi.Commands, context: grpc.aio.ServicerContext) -> Transaction:
        claims = self.ctx.claims(context)
        self.ctx.check_ledger_id(commands.ledger_id)
        act_as = list(dict.fromkeys([*([commands.party] if commands.party else []), *commands.act_as]))
        read_as = list(commands.read_as)
        if not act_as:
            abort(grpc.StatusCode.INVALID_ARGUMENT, "the command names no acting party (party/act_as)")
        if not claims.may_submit(act_as, read_as):
            abort(grpc.StatusCode.PERMISSION_DENIED, "act_as/read_as exceed what the token allows")
        application_id = commands.application_id or claims.application_id or "lso"
        if claims.application_id and not claims.unrestricted and application_id != claims.application_id:
            abort(grpc.StatusCode.PERMISSION_DENIED, "application_id differs from the token's")
        engine_commands = [self.ctx.convert.command(c) for c in commands.commands]
        # a duplicate raises DuplicateCommand (ALREADY_EXISTS), a too long period InvalidDeduplicationPeriod
        # (FAILED_PRECONDITION): the engine's rule, the same as the JSON API's
        return await self.ctx.engine.submit(
            commands.command_id or uuid.uuid4().hex,
            application_id,
            act_as,
            engine_commands,
            read_as=read_as,
            workflow_id=commands.workflow_id,
            deduplication_period=deduplication_period(commands),
        )

    @staticmethod
    def _parties(request: lapi.SubmitAndWaitRequest) -> set[str]:
        commands = request.commands
        return {*([commands.party] if commands.party else []), *commands.act_as}

    @unary
    async def submit_and_wait(
        self, request: lapi.SubmitAndWaitRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._submit(request.commands, context)
        return empty_pb2.Empty()

    @unary
    async def submit_and_wait_for_transaction_id(
        self, request: lapi.SubmitAndWaitRequest, context: grpc.aio.ServicerContext
    ) -> lapi.SubmitAndWaitForTransactionIdResponse:
        tx = await self._submit(request.commands, context)
        return lapi.SubmitAndWaitForTransactionIdResponse(
            transaction_id=tx.transaction_id, completion_offset=offset_text(tx.offset)
        )

    @unary
    async def submit_and_wait_for_transaction(
        self, request: lapi.SubmitAndWaitRequest, context: grpc.aio.ServicerContext
    ) -> lapi.SubmitAndWaitForTransactionResponse:
        tx = await self._submit(request.commands, context)
        return lapi.SubmitAndWaitForTransactionResponse(
            transaction=self.ctx.convert.flat(tx, self._parties(request)),
            completion_offset=offset_text(tx.offset),
        )

    @unary
    async def submit_and_wait_for_transaction_tree(
        self, request: lapi.SubmitAndWaitRequest, context: grpc.aio.ServicerContext
    ) -> lapi.SubmitAndWaitForTransactionTreeResponse:
        tx = await self._submit(request.commands, context)
        return lapi.SubmitAndWaitForTransactionTreeResponse(
            transaction=self.ctx.convert.tree(tx, self._parties(request)),
            completion_offset=offset_text(tx.offset),
        )

    @unary
    async def submit(self, request: lapi.SubmitRequest, context: grpc.aio.ServicerContext) -> empty_pb2.Empty:
        await self._submit(request.commands, context)
        return empty_pb2.Empty()

    def services(self) -> list[Service]:
        command = Service(f"{V1}.CommandService")
        command.unary("SubmitAndWait", lapi.SubmitAndWaitRequest, self.submit_and_wait)
        command.unary(
            "SubmitAndWaitForTransactionId",
            lapi.SubmitAndWaitRequest,
            self.submit_and_wait_for_transaction_id,
        )
        command.unary(
            "SubmitAndWaitForTransaction", lapi.SubmitAndWaitRequest, self.submit_and_wait_for_transaction
        )
        command.unary(
            "SubmitAndWaitForTransactionTree",
            lapi.SubmitAndWaitRequest,
            self.submit_and_wait_for_transaction_tree,
        )
        submission = Service(f"{V1}.CommandSubmissionService")
        submission.unary("Submit", lapi.SubmitRequest, self.submit)
        configuration = Service(f"{V1}.LedgerConfigurationService")
        configuration.stream(
            "GetLedgerConfiguration", lapi.GetLedgerConfigurationRequest, self.get_ledger_configuration
        )
        return [command, submission, configuration]

    @streaming
    async def get_ledger_configuration(
        self, request: lapi.GetLedgerConfigurationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[lapi.GetLedgerConfigurationResponse]:
        """Daml's LedgerConfigurationService: the maximum deduplication duration (the default period of
        commands that give none); then the stream stays open until the client leaves (the configuration never
        changes while served)."""
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        seconds = self.ctx.engine.max_deduplication_seconds
        duration = duration_pb2.Duration(seconds=int(seconds), nanos=round((seconds % 1) * 1e9))
        yield lapi.GetLedgerConfigurationResponse(
            ledger_configuration=lapi.LedgerConfiguration(max_deduplication_duration=duration)
        )
        await asyncio.Event().wait()  # cancelled when the client cancels or the server stops
