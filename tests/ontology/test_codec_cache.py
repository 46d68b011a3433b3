"""decode hands out the same model again for the same text only when nothing can tell the difference."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from ontology import CallForProposals, ContentError, Reason, decode, encode
from ontology.codec import DECODED_TEXT_MAX, _settled
from ontology.negotiation import Offer
from tests.ontology.examples import offer


def test_a_settled_model_is_decoded_once() -> None:
    text = encode(offer("frame", "s-1", "120.50", 3))
    first = decode(text, Offer)
    assert _settled(first)
    assert decode(text, Offer) is first
    assert decode(text) == first


def test_the_expected_type_is_checked_on_every_decode() -> None:
    text = encode(offer("frame", "s-1", "120.50", 3))
    decode(text, Offer)
    with pytest.raises(ContentError, match="not expected here"):
        decode(text, CallForProposals)


def test_mutable_models_are_decoded_afresh() -> None:
    text = encode(Reason(reason="busy"))
    first = decode(text, Reason)
    assert not _settled(first)
    assert decode(text, Reason) is not first
    assert decode(text, Reason) == first


def test_a_field_left_to_its_default_factory_is_decoded_afresh() -> None:
    data = json.loads(encode(offer("frame", "s-1", "120.50", 3)))
    del data["data"]["id"]  # Offer.id defaults to a new uuid4
    text = json.dumps(data)
    first, second = decode(text, Offer), decode(text, Offer)
    assert first.id != second.id


def test_settled_values() -> None:
    assert _settled((1, "a", Decimal("1.5"), date(2030, 1, 1), uuid4(), None))
    assert not _settled([1])
    assert not _settled((1, {"a": 1}))


def test_content_of_a_sender_not_yet_entitled_is_not_remembered() -> None:
    text = encode(offer("frame", "s-2", "99.00", 3))
    first = decode(text, Offer, remember=False)
    assert decode(text, Offer) is not first


def test_long_content_is_not_remembered() -> None:
    data = json.loads(encode(offer("frame", "s-3", "99.00", 3)))
    text = json.dumps(data) + " " * DECODED_TEXT_MAX
    assert decode(text, Offer) is not decode(text, Offer)
