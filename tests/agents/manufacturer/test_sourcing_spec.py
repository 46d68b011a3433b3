"""The cfp a supplier gets carries the customer's values its part needs (not the file's bytes, not our id)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from agents.manufacturer.sourcing import call_for_proposals
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from ontology.codec import decode, encode
from ontology.customisation import Customisation
from ontology.negotiation import CallForProposals
from ontology.order import Order
from ontology.product import AttachedFile, MediaType

SHA = "0123456789abcdef" * 4
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LATER = date.today() + timedelta(days=90)


def test_the_cfp_of_each_sourced_part_carries_the_values_it_needs() -> None:
    products = {product.id: product for product in demo_products("maker")}
    bracket = products["demo-machined-bracket"]
    drawing = AttachedFile(
        upload_id="upload-7", name="bracket v2.step", media_type=MediaType.STEP, size=48_213, sha256=SHA
    )
    order = Order(
        customer_id="ann",
        manufacturer_id="maker",
        product_id=bracket.id,
        customisation=Customisation.with_defaults(
            bracket, {"surface": "bead-blasted"}, files={"cad-file": drawing}, texts={"marking": "BR-7 / Ann"}
        ),
        quantity=2,
        delivery_date=LATER,
    )
    policy = demo_policy(products.values())
    sourced = policy.split(order.required_parts(bracket)).sourced
    cfps = {part.part_id: call_for_proposals(order.id, part, LATER, policy, NOW) for part in sourced}
    assert set(cfps) == {"body", "surface"}

    wire = encode(cfps["body"])
    received = decode(wire, CallForProposals)  # what the supplier's proxy reads
    assert [value.words() for value in received.part.specification] == [
        "Your CAD file: bracket v2.step",
        "Engraved marking (a part number or your name): BR-7 / Ann",
    ]
    file = received.part.specification[0].file
    assert file is not None and (file.media_type, file.size, file.sha256) == (MediaType.STEP, 48_213, SHA)
    assert "upload-7" not in wire and "upload_id" not in wire
    assert received.reply_by == NOW + timedelta(seconds=policy.deadline_seconds)
    assert received.part.quantity == 2

    surface = json.loads(encode(cfps["surface"]))["data"]["part"]
    assert "specification" not in surface, "a part that needs no value reads as before"


def test_the_measurements_reach_the_tube_cutter_and_the_welder_with_their_units() -> None:
    frame = next(p for p in demo_products("maker") if p.id == "demo-bicycle-frame")
    custom = Customisation.with_defaults(
        frame,
        {"geometry": "made-to-measure"},
        numbers={"body-height": Decimal(181), "inseam": Decimal("84.5")},
    )
    order = Order(
        customer_id="ann",
        manufacturer_id="maker",
        product_id=frame.id,
        customisation=custom,
        delivery_date=LATER,
    )
    parts = {part.part_id: part for part in order.required_parts(frame)}
    for part_id in ("frame-tubes", "frame-welding"):
        assert [value.words() for value in parts[part_id].specification] == [
            "Body height: 181 cm",
            "Inseam (floor to crotch, barefoot): 84.5 cm",
        ]
    assert parts["dropouts"].specification == ()
