from __future__ import annotations

import pytest

from ontology.common import Ping
from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative, ProtocolName
from protocols.wire import XmppEnvelope, format_fipa_time, from_envelope, parse_fipa_time, to_envelopes
from tests.protocols.helpers import T0, at


def _cfp() -> AclMessage:
    return AclMessage.build(
        Performative.CFP,
        "maker@local",
        ("s1@local", "s2@local"),
        Ping(note="bid"),
        protocol=ProtocolName.CONTRACT_NET.value,
        conversation_id="conv-7",
        reply_to=("maker@local",),
        in_reply_to="earlier",
        encoding="utf-8",
        reply_by=at(12.345),
        user_params={"X-order": "o-7"},
    )


def test_one_envelope_per_receiver_and_round_trip() -> None:
    message = _cfp()
    envelopes = to_envelopes(message)
    assert [e.to for e in envelopes] == ["s1@local", "s2@local"]
    for envelope in envelopes:
        assert envelope.thread == "conv-7"
        assert envelope.body == message.content
        assert envelope.metadata["performative"] == "cfp"
        assert from_envelope(envelope) == message


def test_fipa_time_format() -> None:
    assert format_fipa_time(at(12.345)) == "20300101T120012345Z"
    assert parse_fipa_time("20300101T120012345Z") == at(12.345)
    assert parse_fipa_time("20300101T120012") == at(12)
    assert parse_fipa_time("2030-01-01T14:00:12+02:00") == at(12)
    assert to_envelopes(_cfp())[0].metadata["reply-by"] == "20300101T120012345Z"


@pytest.mark.parametrize("text", ["tomorrow", "2030-01-01T12:00:00"])
def test_bad_or_naive_reply_by_is_malformed(text: str) -> None:
    envelope = to_envelopes(_cfp())[0]
    broken = envelope.model_copy(update={"metadata": {**envelope.metadata, "reply-by": text}})
    with pytest.raises(MalformedAclError):
        from_envelope(broken)


def test_missing_performative() -> None:
    envelope = XmppEnvelope(to="b@local", sender="a@local", body="x", metadata={})
    with pytest.raises(MalformedAclError, match="no performative"):
        from_envelope(envelope)


def test_unknown_performative() -> None:
    envelope = XmppEnvelope(to="b@local", sender="a@local", body="x", metadata={"performative": "shout"})
    with pytest.raises(MalformedAclError, match="unknown performative"):
        from_envelope(envelope)


def test_empty_body() -> None:
    envelope = XmppEnvelope(to="b@local", sender="a@local", body="", metadata={"performative": "inform"})
    with pytest.raises(MalformedAclError, match="empty"):
        from_envelope(envelope)


def test_sender_comes_from_the_xmpp_address_not_metadata() -> None:
    envelope = to_envelopes(_cfp())[0]
    spoofed = envelope.model_copy(
        update={"sender": "mallory@local", "metadata": {**envelope.metadata, "sender": "maker@local"}}
    )
    assert from_envelope(spoofed).sender == "mallory@local"


def test_thread_stands_in_for_a_missing_conversation_id() -> None:
    envelope = XmppEnvelope(
        to="b@local", sender="a@local", body="x", thread="t-1", metadata={"performative": "inform"}
    )
    message = from_envelope(envelope)
    assert message.conversation_id == "t-1"
    assert message.receivers == ("b@local",)
    assert message.language is None


def test_receiver_list_always_contains_the_addressee() -> None:
    envelope = XmppEnvelope(
        to="c@local", sender="a@local", body="x", metadata={"performative": "inform", "receiver": "b@local"}
    )
    assert from_envelope(envelope).receivers == ("b@local", "c@local")


def test_invalid_parameters_are_reported() -> None:
    envelope = XmppEnvelope(to="b@local", sender="not an id", body="x", metadata={"performative": "inform"})
    with pytest.raises(MalformedAclError, match="sender"):
        from_envelope(envelope)


def test_reply_by_is_utc() -> None:
    reply_by = from_envelope(to_envelopes(_cfp())[0]).reply_by
    assert reply_by == at(12.345)
    assert reply_by is not None
    assert reply_by.utcoffset() == T0.utcoffset()
