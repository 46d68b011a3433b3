"""Unit tests of the SPADE Message <-> XmppEnvelope <-> AclMessage mapping (no network)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from spade.message import Message

from agents.runtime.transport import (
    bare,
    envelope_from_spade,
    envelope_from_stanza,
    metadata_of,
    spade_from_envelope,
    stanza_xml,
)
from ontology.codec import decode
from ontology.common import Ping, Pong
from ontology.negotiation import CallForProposals
from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative, ProtocolName
from protocols.wire import XmppEnvelope, from_envelope, to_envelopes


def acl_to_spade(message: AclMessage) -> list[Message]:
    """One SPADE message per receiver."""
    return [spade_from_envelope(envelope) for envelope in to_envelopes(message)]


def acl_from_spade(message: Message) -> AclMessage:
    """Decode a received SPADE message; raise :class:`protocols.acl.MalformedAclError`."""
    return from_envelope(envelope_from_spade(message))


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


# ---------------------------------------------------------------- <thread/> and envelope_from_stanza


def _stanza(xml: str) -> Any:
    """The slixmpp ``Message`` stanza a receiving agent's client makes of the stanza text."""
    from slixmpp.stanza import Message as Stanza

    element = ET.fromstring(f'<stream xmlns="jabber:client">{xml}</stream>')[0]
    return Stanza(xml=element)  # type: ignore[no-untyped-call]


def test_stanza_xml_writes_the_standard_thread_after_the_body() -> None:
    envelope = XmppEnvelope(
        to="b@localhost", sender="a@localhost", body="x", thread="c&<1>", metadata={"performative": "inform"}
    )
    element = ET.fromstring(f'<stream xmlns="jabber:client">{stanza_xml(envelope)}</stream>')[0]
    children = [child.tag for child in element]
    assert children[:2] == ["{jabber:client}body", "{jabber:client}thread"]
    assert element.findtext("{jabber:client}thread") == "c&<1>"
    assert _stanza(stanza_xml(envelope))["thread"] == "c&<1>"


def test_stanza_xml_writes_no_thread_without_one() -> None:
    xml = stanza_xml(XmppEnvelope(to="b@localhost", sender="a@localhost", body="x", metadata={"k": "v"}))
    assert "<thread>" not in xml
    assert "_thread_node" not in xml


def test_stanza_xml_escapes_text_minimally_and_attributes_fully() -> None:
    envelope = XmppEnvelope(to="b@localhost", sender="a@localhost", body='{"a":"<&>"}', metadata={"q'": '"'})
    xml = stanza_xml(envelope)
    assert '<body>{"a":"&lt;&amp;&gt;"}</body>' in xml
    assert '<field var="q&apos;" type="text-single"><value>"</value></field>' in xml


def test_envelope_from_stanza_reads_back_what_stanza_xml_writes() -> None:
    original = sample()
    for envelope in to_envelopes(original):
        assert envelope_from_stanza(_stanza(stanza_xml(envelope))) == envelope
    back = from_envelope(envelope_from_stanza(_stanza(stanza_xml(to_envelopes(original)[0]))))
    assert back == original


def test_envelope_from_stanza_agrees_with_spade() -> None:
    envelope = envelope_from_spade(acl_to_spade(sample())[0])
    node = _stanza(stanza_xml(envelope).replace('from="a@localhost"', 'from="A@LocalHost/spade-1"'))
    assert envelope_from_stanza(node) == envelope_from_spade(Message.from_node(node))
    assert envelope_from_stanza(node).sender == "a@localhost"


def test_envelope_from_stanza_keeps_hosted_agent_fields_and_odd_text() -> None:
    message = AclMessage.build(
        Performative.CFP,
        "m@localhost",
        "suppliers@localhost/SUP-1",
        Ping(note="a\r\nb <&> \"q\" 'a'"),
        protocol=ProtocolName.CONTRACT_NET,
        conversation_id="c 1\r\n",
        user_params={"X-empty": "", "X-crlf": "1\r\n2"},
    )
    envelope = to_envelopes(message)[0]
    assert envelope.metadata["intended-receiver"] == "suppliers@localhost/SUP-1"
    back = envelope_from_stanza(_stanza(stanza_xml(envelope)))
    assert back == envelope
    assert from_envelope(back) == message


def test_a_plain_xmpp_client_stanza_gives_the_conversation_id_from_thread() -> None:
    """What a non-SPADE client writes: the standard <thread/>, a form without _thread_node."""
    xml = (
        '<message to="ping@localhost" from="jade@localhost/agent" type="chat" id="m1">'
        "<body>" + sample().content + "</body>"
        '<thread parent="outer">conv-42</thread>'
        '<x xmlns="jabber:x:data" type="form"><title>spade:x:metadata</title>'
        '<field var="performative" type="text-single"><value>request</value></field>'
        '<field var="protocol"><value>fipa-request</value></field>'
        '<field var="reply-with"><value>r1</value><value>ignored</value></field>'
        "</x></message>"
    )
    envelope = envelope_from_stanza(_stanza(xml))
    assert envelope == XmppEnvelope(
        to="ping@localhost",
        sender="jade@localhost",
        body=sample().content,
        thread="conv-42",
        metadata={"performative": "request", "protocol": "fipa-request", "reply-with": "r1"},
    )
    message = from_envelope(envelope)
    assert message.conversation_id == "conv-42"
    assert message.sender == "jade@localhost"
    assert message.receivers == ("ping@localhost",)
    assert message.protocol == ProtocolName.REQUEST


def test_the_form_thread_wins_over_the_standard_thread() -> None:
    xml = (
        '<message to="b@localhost" from="a@localhost" type="chat"><body>x</body><thread>std</thread>'
        '<x xmlns="jabber:x:data" type="form"><title>spade:x:metadata</title>'
        '<field var="_thread_node"><value>form</value></field></x></message>'
    )
    assert envelope_from_stanza(_stanza(xml)).thread == "form"
    empty_form_thread = xml.replace("<value>form</value>", "<value/>")
    assert envelope_from_stanza(_stanza(empty_form_thread)).thread == "std"


def test_only_the_spade_metadata_form_is_read() -> None:
    xml = (
        '<message to="b@localhost" from="a@localhost" type="chat"><body>x</body>'
        '<x xmlns="jabber:x:data" type="form"><title>other</title>'
        '<field var="performative"><value>cfp</value></field></x>'
        '<x xmlns="jabber:x:data" type="form"><title>spade:x:metadata</title>'
        '<field var="performative"><value>inform</value></field>'
        '<field var="no-value"/><field><value>no var</value></field></x></message>'
    )
    assert envelope_from_stanza(_stanza(xml)).metadata == {"performative": "inform"}


def test_the_body_without_a_language_is_preferred() -> None:
    xml = (
        '<message to="b@localhost" from="a@localhost" type="chat">'
        '<body xml:lang="de">hallo</body><body>hello</body></message>'
    )
    assert envelope_from_stanza(_stanza(xml)).body == "hello"
    only_tagged = '<message to="b@localhost" type="chat"><body xml:lang="de">hallo</body></message>'
    assert envelope_from_stanza(_stanza(only_tagged)).body == "hallo"


@pytest.mark.parametrize(
    "xml",
    [
        "<message/>",
        '<message type="chat"><body/><thread/></message>',
        '<message to="a@b@c" from="@nobody" type="chat"><body>x</body></message>',
        '<message to="b@localhost"><x xmlns="jabber:x:data">'
        '<field var="k"><value>v</value></field></x></message>',
        '<message to="b@localhost"><x xmlns="jabber:x:data">'
        "<title/><title>spade:x:metadata</title></x></message>",
        '<message from="a@localhost"><x xmlns="jabber:x:data"><title>spade:x:metadata</title>'
        "<field var=''><value>v</value></field><field var='_thread_node'/></x><thread></thread></message>",
        '<message><body><b>markup</b></body><other xmlns="urn:x">text</other></message>',
    ],
)
def test_odd_stanzas_do_not_raise(xml: str) -> None:
    envelope = envelope_from_stanza(_stanza(xml))
    assert isinstance(envelope, XmppEnvelope)
    assert envelope.thread is None
    assert envelope.metadata == {}
    with pytest.raises(MalformedAclError):
        from_envelope(envelope)


@pytest.mark.parametrize("node", [None, "<message/>", 42, object()])
def test_things_that_are_not_stanzas_give_an_empty_envelope(node: object) -> None:
    assert envelope_from_stanza(node) == XmppEnvelope(to="", sender="", body="")


def test_a_bare_xml_element_is_read_too() -> None:
    envelope = XmppEnvelope(to="b@localhost", sender="a@localhost", body="x", thread="t", metadata={"k": "v"})
    element = ET.fromstring(f'<stream xmlns="jabber:client">{stanza_xml(envelope)}</stream>')[0]
    assert envelope_from_stanza(element) == envelope


# ---------------------------------------------------------------- the examples of docs/wire.md

WIRE_DOC = Path(__file__).resolve().parents[2] / "docs" / "wire.md"


def _doc_stanzas() -> list[str]:
    """The complete example stanzas of docs/wire.md (not the annotated shape with placeholders)."""
    blocks = re.findall(r"```xml\n(.*?)```", WIRE_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [block for block in blocks if block.startswith("<message") and "<!--" not in block]


_FROM = re.compile(r' from="[^"]*"')


def test_the_wire_document_examples_are_what_the_platform_reads() -> None:
    """Each example reads as the ACL message it stands for, and is what stanza_xml writes for that
    message (but for the indentation and the ``from`` the server stamps)."""
    stanzas = _doc_stanzas()
    assert len(stanzas) == 3
    stamped = [
        x if "from=" in x else x.replace("<message ", '<message from="acme-mes@lso.example.org/x" ', 1)
        for x in stanzas
    ]
    request, reply, cfp = (from_envelope(envelope_from_stanza(_stanza(x))) for x in stamped)
    expected_request = AclMessage.build(
        Performative.REQUEST,
        "acme-mes@lso.example.org",
        "ping@lso.example.org",
        Ping(note="hello"),
        protocol=ProtocolName.REQUEST,
        conversation_id="c-7f3a9e",
        reply_with="r-1",
        reply_by=datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    )
    assert request == expected_request
    pong = Pong(agent="ping@lso.example.org", note="hello")
    expected_reply = expected_request.create_reply(Performative.INFORM, pong)
    assert reply == expected_reply.model_copy(update={"reply_with": "b41c0e2d"})
    assert decode(cfp.content, CallForProposals).part.part_id == "frame"
    assert (cfp.performative, cfp.protocol, cfp.conversation_id, cfp.reply_with) == (
        Performative.CFP,
        ProtocolName.ITERATED_CONTRACT_NET,
        "n-51d2",
        "cfp-1",
    )
    assert cfp.receivers == ("suppliers@lso.example.org/SUP-0001",)
    for message, xml in zip((request, reply, cfp), stanzas, strict=True):
        shown = _FROM.sub("", re.sub(r">\s+<", "><", xml.strip()))
        assert _FROM.sub("", stanza_xml(to_envelopes(message)[0])) == shown
