"""The request body limit: refused on the declared length before the app runs, or while the app reads a
streamed body; what the app answered stands."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from common.body_limit import Message, Receive, Scope, Send, within_limit


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def http(length: int | None = None) -> Scope:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": "/", "headers": headers}


def chunks(*parts: bytes) -> Receive:
    """A client sending ``parts`` as a chunked body."""
    queue = list(parts)

    async def receive() -> Message:
        body = queue.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(queue)}

    return receive


class Sent:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)


async def reads_then_answers(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body, then answers 200 with it."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def statuses(messages: Iterable[Message]) -> list[int]:
    return [m["status"] for m in messages if m["type"] == "http.response.start"]


async def test_a_body_within_the_limit_reaches_the_app() -> None:
    sent = Sent()
    assert await within_limit(reads_then_answers, http(6), chunks(b"abc", b"def"), sent, 6, TooLarge)
    assert statuses(sent.messages) == [200] and sent.messages[-1]["body"] == b"abcdef"


async def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs() -> None:
    async def never(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app ran")

    sent = Sent()
    assert not await within_limit(never, http(7), chunks(b"abcdefg"), sent, 6, TooLarge)
    assert sent.messages == []


async def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    sent = Sent()
    assert not await within_limit(reads_then_answers, http(), chunks(b"abcd", b"efg"), sent, 6, TooLarge)
    assert sent.messages == []


async def test_the_apps_own_answer_to_a_too_large_body_stands() -> None:
    async def answers_413(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await receive()
        except TooLarge as exc:
            await send({"type": "http.response.start", "status": 413, "headers": []})
            await send({"type": "http.response.body", "body": str(exc.limit).encode()})

    sent = Sent()
    assert await within_limit(answers_413, http(), chunks(b"abcdefg"), sent, 6, TooLarge)
    assert statuses(sent.messages) == [413]


async def test_passing_the_limit_after_the_answer_started_is_raised() -> None:
    async def answers_while_reading(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()

    with pytest.raises(TooLarge):
        await within_limit(answers_while_reading, http(), chunks(b"abcdefg"), Sent(), 6, TooLarge)
