"""Unit tests of the SPADE Message <-> XmppEnvelope <-> AclMessage mapping (no network)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from spade.message import Message

from agents.runtime.transport import (
    acl_from_spade,
    acl_to_spade,
    bare,
    envelope_from_spade,
    metadata_of,
    spade_from_envelope,
    stanza_xml,
)
from ontology.common import Ping
from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative, ProtocolName
from protocols.wire import XmppEnvelope


def sample() -> AclMessage:
    return AclMessage.build(
        Performative.REQUEST,
        "a@localhost",
        ("b@localhost", "c@localhost"),
        Ping(note="x"),
        protocol=ProtocolName.REQUEST,
        conversation_id="conv-1",
        reply_by=datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        user_params={"X-trace": "t1"},
    )


def test_one_spade_message_per_receiver_with_metadata_and_thread() -> None:
    messages = acl_to_spade(sample())
    assert [str(m.to) for m in messages] == ["b@localhost", "c@localhost"]
    first = messages[0]
    assert str(first.sender) == "a@localhost"
    assert first.thread == "conv-1"
    assert first.get_metadata("performative") == "request"
    assert first.get_metadata("conversation-id") == "conv-1"
    assert first.get_metadata("reply-by") == "20300102T030405678Z"
    assert first.get_metadata("X-trace") == "t1"
    assert first.body == sample().content


def test_round_trip_keeps_every_parameter() -> None:
    original = sample()
    back = acl_from_spade(acl_to_spade(original)[0])
    assert back == original


def test_full_jids_are_reduced_to_bare_ones() -> None:
    message = acl_to_spade(sample())[0]
    message.sender = "a@localhost/spade-123"
    message.to = "b@localhost/other"
    envelope = envelope_from_spade(message)
    assert (envelope.sender, envelope.to) == ("a@localhost", "b@localhost")
    assert acl_from_spade(message).sender == "a@localhost"


def test_sender_comes_from_xmpp_not_from_metadata() -> None:
    message = acl_to_spade(sample())[0]
    message.set_metadata("sender", "boss@localhost")
    message.sender = "mallory@localhost/r"
    assert acl_from_spade(message).sender == "mallory@localhost"


def test_conversation_id_falls_back_to_thread() -> None:
    message = Message(
        to="b@localhost", sender="a@localhost", body="x", thread="t-9", metadata={"performative": "inform"}
    )
    assert acl_from_spade(message).conversation_id == "t-9"


@pytest.mark.parametrize(
    ("metadata", "body", "problem"),
    [
        ({}, "x", "no performative"),
        ({"performative": "beg"}, "x", "unknown performative"),
        ({"performative": "inform"}, "", "empty content"),
        ({"performative": "inform", "reply-by": "soon"}, "x", "reply-by"),
        ({"performative": "inform", "Y-bad": "1"}, "x", None),
    ],
)
def test_malformed_messages_are_rejected(metadata: dict[str, str], body: str, problem: str | None) -> None:
    message = Message(to="b@localhost", sender="a@localhost/r", body=body, metadata=metadata)
    if problem is None:
        assert acl_from_spade(message).user_params == {}
        return
    with pytest.raises(MalformedAclError, match=problem):
        acl_from_spade(message)


def test_envelope_round_trip() -> None:
    envelope = XmppEnvelope(to="b@x", sender="a@x", body="hi", thread="t", metadata={"k": "v"})
    message = spade_from_envelope(envelope)
    assert metadata_of(message) == {"k": "v"}
    assert envelope_from_spade(message) == envelope


def test_bare() -> None:
    assert bare("a@b/c") == "a@b"
    assert bare(Message(sender="a@b/c").sender) == "a@b"


def _parse_as_spade(xml: str) -> Message:
    """What a receiving SPADE agent makes of the stanza text."""
    from slixmpp import ClientXMPP
    from slixmpp.stanza import Message as Stanza

    client = ClientXMPP("b@localhost", "unused")
    element = ET.fromstring(f'<stream xmlns="jabber:client">{xml}</stream>')[0]
    return Message.from_node(Stanza(stream=client, xml=element))  # type: ignore[no-untyped-call]


def test_stanza_xml_is_read_back_by_spade() -> None:
    original = sample()
    envelope = envelope_from_spade(acl_to_spade(original)[0])
    message = _parse_as_spade(stanza_xml(envelope))
    assert envelope_from_spade(message) == envelope
    assert acl_from_spade(message) == original


def test_stanza_xml_escapes_markup_and_replaces_forbidden_characters() -> None:
    tricky = "a<b>&\"c'\x00\x1fd"
    envelope = XmppEnvelope(
        to="b@localhost", sender="a@localhost", body=tricky, thread="t", metadata={"X-q": tricky}
    )
    message = _parse_as_spade(stanza_xml(envelope))
    expected = "a<b>&\"c'\ufffd\ufffdd"
    assert message.body == expected
    assert message.get_metadata("X-q") == expected
    assert message.thread == "t"
