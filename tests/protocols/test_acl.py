from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from ontology.codec import decode
from ontology.common import Ping, Reason
from protocols.acl import CONTENT_LANGUAGE, AclMessage
from protocols.performative import Performative, ProtocolName
from tests.protocols.helpers import T0, at


def _request(**params: object) -> AclMessage:
    return AclMessage.build(
        Performative.REQUEST,
        "alice@local",
        "bob@local",
        Ping(note="hello"),
        protocol=ProtocolName.REQUEST.value,
        conversation_id="conv-1",
        **params,
    )


def test_build_encodes_content_and_sets_reply_with() -> None:
    message = _request()
    assert message.receivers == ("bob@local",)
    assert message.reply_with
    assert message.language == CONTENT_LANGUAGE
    assert decode(message.content) == Ping(note="hello")


def test_every_sc00061_parameter_round_trips_through_json() -> None:
    message = _request(
        reply_to=("carol@local",),
        encoding="utf-8",
        in_reply_to="earlier",
        reply_by=at(30),
        user_params={"X-order": "o-1"},
    )
    assert AclMessage.model_validate_json(message.model_dump_json()) == message


def test_reply_copies_conversation_parameters_and_answers_reply_with() -> None:
    request = _request(reply_by=at(10))
    answer = request.create_reply(Performative.AGREE, Ping())
    assert answer.sender == "bob@local"
    assert answer.receivers == ("alice@local",)
    assert answer.conversation_id == "conv-1"
    assert answer.protocol == ProtocolName.REQUEST.value
    assert answer.language == request.language
    assert answer.ontology == request.ontology
    assert answer.in_reply_to == request.reply_with
    assert answer.reply_with != request.reply_with


def test_reply_goes_to_reply_to_when_set() -> None:
    request = _request(reply_to=("carol@local",))
    assert request.create_reply(Performative.REFUSE, Reason(reason="no")).receivers == ("carol@local",)


def test_is_late_after_reply_by_only() -> None:
    message = _request(reply_by=at(10))
    assert not message.is_late(at(10))
    assert message.is_late(at(10.001))
    assert not _request().is_late(at(1e6))


def test_reply_by_must_be_aware_and_is_normalised_to_utc() -> None:
    with pytest.raises(ValidationError):
        _request(reply_by=datetime(2030, 1, 1))
    local = T0.astimezone(timezone(timedelta(hours=2)))
    assert _request(reply_by=local).reply_by == T0
    assert _request(reply_by=local).reply_by.tzinfo == UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "update",
    [
        {"receivers": ()},
        {"receivers": ("bob@local", "bob@local")},
        {"content": ""},
        {"sender": "not an id"},
        {"user_params": {"order": "o-1"}},
        {"performative": "shout"},
    ],
)
def test_malformed_messages_are_rejected(update: dict[str, object]) -> None:
    fields = _request().model_dump()
    fields.update(update)
    with pytest.raises(ValidationError):
        AclMessage.model_validate(fields)


def test_messages_are_immutable() -> None:
    message = _request()
    with pytest.raises(ValidationError):
        message.content = "changed"  # type: ignore[misc]
