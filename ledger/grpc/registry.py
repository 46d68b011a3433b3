"""Registers plain async functions as gRPC methods (the generated stubs of dazl carry no typed servicers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.message import Message

V1 = "com.daml.ledger.api.v1"
V1_ADMIN = "com.daml.ledger.api.v1.admin"

Unary = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Message]]
Streaming = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Message]]


def _serialize(message: Message) -> bytes:
    data: bytes = message.SerializeToString()
    return data


@dataclass
class Service:
    """One gRPC service: ``name`` is its full protobuf name (``com.daml.ledger.api.v1.CommandService``)."""

    name: str
    handlers: dict[str, Any] = field(default_factory=dict)

    def unary(self, method: str, request_type: type[Message], fn: Unary) -> None:
        self.handlers[method] = grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=request_type.FromString, response_serializer=_serialize
        )

    def stream(self, method: str, request_type: type[Message], fn: Streaming) -> None:
        self.handlers[method] = grpc.unary_stream_rpc_method_handler(
            fn, request_deserializer=request_type.FromString, response_serializer=_serialize
        )

    def handler(self) -> Any:
        return grpc.method_handlers_generic_handler(self.name, self.handlers)
