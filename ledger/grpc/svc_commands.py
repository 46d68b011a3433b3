"""CommandService and CommandSubmissionService: one command batch = one engine transaction, synchronously."""

from __future__ import annotations

import uuid

import grpc
from dazl._gen.com.daml.ledger.api import v1 as lapi
from google.protobuf import empty_pb2

from ledger.engine.model import Transaction
from ledger.grpc.context import LedgerContext, abort, unary
from ledger.grpc.convert import offset_text
from ledger.grpc.registry import V1, Service


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
        tx, duplicate = await self.ctx.engine.submit_ex(
            commands.command_id or uuid.uuid4().hex,
            application_id,
            act_as,
            engine_commands,
            read_as=read_as,
            workflow_id=commands.workflow_id,
        )
        if duplicate:
            abort(
                grpc.StatusCode.ALREADY_EXISTS,
                f"DUPLICATE_COMMAND: command {commands.command_id!r} was already committed "
                f"as transaction {tx.transaction_id} at offset {offset_text(tx.offset)}",
            )
        return tx

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
        return [command, submission]
