"""Option kinds beyond choices: numbers with units, texts with limits, files; their values on the parts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ontology.codec import decode, encode
from ontology.customisation import Customisation, CustomisationError, estimated_cost, required_parts
from ontology.negotiation import CallForProposals
from ontology.order import Order
from ontology.process import ProcessKind
from ontology.product import (
    AttachedFile,
    Choice,
    FileSpec,
    MediaType,
    NumberSpec,
    OptionCondition,
    OptionKind,
    Product,
    ProductOption,
    RequiredPart,
    TextSpec,
)
from tests.ontology.examples import bike
from tests.ontology.test_schemas import check_content

SHA = "ab" * 32


def frame() -> Product:
    """Geometry by size or made to measure (then height and inseam), an engraving, a drawing for the tubes."""
    return Product(
        id="frame",
        manufacturer_id="m",
        name="Frame",
        base_cost=Decimal("400"),
        base_parts=(
            RequiredPart(part_id="tubes", process=ProcessKind.LASER_CUTTING),
            RequiredPart(part_id="welding", process=ProcessKind.WELDING),
            RequiredPart(part_id="check", process=ProcessKind.QUALITY_INSPECTION),
        ),
        options=(
            ProductOption(
                id="geometry",
                label="Geometry",
                default="m",
                choices=(
                    Choice(id="m", label="Size M"),
                    Choice(id="custom", label="Made to measure", cost_delta=Decimal("150")),
                ),
            ),
            ProductOption(
                id="height",
                label="Body height",
                kind=OptionKind.NUMBER,
                number=NumberSpec(unit="cm", minimum=Decimal(140), maximum=Decimal(210), step=Decimal(1)),
                only_when=OptionCondition(option="geometry", choices=("custom",)),
                used_by=("tubes", "welding"),
            ),
            ProductOption(
                id="inseam",
                label="Inseam",
                kind=OptionKind.NUMBER,
                number=NumberSpec(
                    unit="cm",
                    minimum=Decimal(60),
                    maximum=Decimal(100),
                    step=Decimal("0.5"),
                    default=Decimal(82),
                ),
                only_when=OptionCondition(option="geometry", choices=("custom",)),
                used_by=("tubes",),
            ),
            ProductOption(
                id="engraving",
                label="Engraving",
                kind=OptionKind.TEXT,
                required=False,
                text=TextSpec(
                    max_length=12, pattern=r"[A-Za-z0-9 ]+", pattern_hint="letters, digits and spaces"
                ),
                used_by=("welding",),
            ),
            ProductOption(
                id="drawing",
                label="Drawing",
                kind=OptionKind.FILE,
                required=False,
                file=FileSpec(media_types=(MediaType.PDF, MediaType.DXF), max_bytes=1_000_000),
                used_by=("tubes",),
            ),
        ),
    )


def attached(
    name: str = "frame.pdf", media_type: MediaType = MediaType.PDF, size: int = 5000
) -> AttachedFile:
    return AttachedFile(upload_id="u1", name=name, media_type=media_type, size=size, sha256=SHA)


def problems_of(**values: Any) -> tuple[str, ...]:
    with pytest.raises(CustomisationError) as caught:
        Customisation.with_defaults(frame(), **values)
    return caught.value.problems


def test_a_choice_only_product_and_customisation_read_as_before_on_the_wire() -> None:
    product = bike()
    data = json.loads(encode(product))["data"]
    for option in data["options"]:
        assert set(option) == {"id", "label", "required", "choices", "default"}
    for part in data["base_parts"]:
        assert "specification" not in part
    assert Customisation(choices={"frame": "alu"}).model_dump(mode="json") == {"choices": {"frame": "alu"}}
    old = {**data, "options": [{k: v for k, v in o.items() if k != "kind"} for o in data["options"]]}
    assert Product.model_validate(old) == product


def test_a_product_with_every_kind_survives_the_codec() -> None:
    product = frame()
    assert decode(encode(product), Product) == product
    assert product.option("height") is not None and product.option("height").kind is OptionKind.NUMBER  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"kind": "number"}, "number option 'x' needs its number spec"),
        (
            {"kind": "text", "text": {"max_length": 5}, "choices": [{"id": "a", "label": "A"}]},
            "has no choices",
        ),
        (
            {"kind": "choice", "choices": [{"id": "a", "label": "A"}], "text": {"max_length": 5}},
            "has a text spec",
        ),
        (
            {"kind": "choice", "choices": [{"id": "a", "label": "A"}], "used_by": ["p"]},
            "cannot have only_when",
        ),
        (
            {"kind": "number", "number": {"unit": "cm", "minimum": 5, "maximum": 1}},
            "minimum 5 is above maximum 1",
        ),
        (
            {"kind": "number", "number": {"unit": "cm", "minimum": 1, "maximum": 5, "step": 2, "default": 2}},
            "the default must be in steps of 2 cm from 1, not 2",
        ),
        ({"kind": "text", "text": {"max_length": 5, "pattern": "[a-z]+"}}, "needs a pattern_hint"),
        (
            {"kind": "text", "text": {"max_length": 5, "pattern": "(", "pattern_hint": "x"}},
            "not a regular expression",
        ),
        ({"kind": "file", "file": {"media_types": [], "max_bytes": 5}}, "at least 1 item"),
        ({"kind": "file", "file": {"media_types": ["text/html"], "max_bytes": 5}}, "media_types"),
        (
            {"kind": "file", "file": {"media_types": ["image/png", "image/png"], "max_bytes": 5}},
            "more than once",
        ),
    ],
)
def test_an_option_of_a_kind_has_exactly_that_kinds_spec(option: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ProductOption.model_validate({"id": "x", "label": "X", **option})


def test_a_product_checks_used_by_conditions_and_empty_specifications() -> None:
    data = frame().model_dump(mode="json")
    height = data["options"][1]
    with pytest.raises(
        ValidationError, match="used by part\\(s\\) 'saddle' that product 'frame' does not have"
    ):
        Product.model_validate({**data, "options": [data["options"][0], {**height, "used_by": ["saddle"]}]})
    with pytest.raises(ValidationError, match="'engraving' is not a choice option"):
        wrong = {**height, "only_when": {"option": "engraving", "choices": ["x"]}}
        Product.model_validate({**data, "options": [*data["options"][3:], wrong]})
    with pytest.raises(ValidationError, match="'giant', which is not one of its choices"):
        wrong = {**height, "only_when": {"option": "geometry", "choices": ["giant"]}}
        Product.model_validate({**data, "options": [data["options"][0], wrong]})
    specified = {**data["base_parts"][0], "specification": [{"option_id": "x", "label": "X", "text": "t"}]}
    with pytest.raises(ValidationError, match="filled from the customer's values per order"):
        Product.model_validate({**data, "base_parts": [specified, *data["base_parts"][1:]]})


def test_values_are_asked_only_when_their_condition_holds() -> None:
    stock = Customisation.with_defaults(frame())
    assert stock.choices == {"geometry": "m"} and stock.numbers == {}
    assert problems_of(numbers={"height": Decimal(180)}) == (
        "Body height is asked only when Geometry is Made to measure: leave it out",
    )
    assert problems_of(choices={"geometry": "custom"}) == (
        "missing required option 'height': Body height, a number of cm from 140 to 210 in steps of 1",
    )
    custom = Customisation.with_defaults(frame(), {"geometry": "custom"}, numbers={"height": Decimal(182)})
    assert custom.numbers == {"height": Decimal(182), "inseam": Decimal(82)}, "the inseam took its default"


def test_numbers_texts_and_files_that_do_not_fit_are_named_in_words() -> None:
    found = problems_of(
        choices={"geometry": "custom"},
        numbers={"height": Decimal(230), "inseam": Decimal("80.2")},
        texts={"engraving": "Anna & Ben forever"},
        files={"drawing": attached("frame.png", MediaType.PNG, 2_500_000)},
    )
    assert found == (
        "Body height must be from 140 to 210 cm, not 230",
        "Inseam must be in steps of 0.5 cm from 60, not 80.2",
        "Engraving may have at most 12 characters, not 18",
        "Drawing: 'frame.png' is a PNG file; a PDF or DXF file is needed",
    )
    assert problems_of(texts={"engraving": "Anna & Ben"}) == (
        "Engraving may contain letters, digits and spaces only",
    )
    assert problems_of(texts={"engraving": "two\nlines"}) == (
        "Engraving must be one line of text, without line breaks or control characters",
    )
    assert problems_of(texts={"engraving": "  "}) == ("Engraving is empty: write something or leave it out",)
    assert problems_of(files={"drawing": attached(size=1_500_000)}) == (
        "Drawing: 'frame.pdf' has 1.5 MB; at most 1 MB is accepted",
    )


def test_a_value_under_the_wrong_kind_or_an_unknown_option_is_refused() -> None:
    assert problems_of(choices={"engraving": "x"}) == (
        "option 'engraving' (Engraving) takes a text of up to 12 characters (letters, digits and spaces), "
        "not a choice",
    )
    assert problems_of(texts={"height": "180"}) == (
        "option 'height' (Body height) takes a number of cm from 140 to 210 in steps of 1, not a text",
    )
    assert problems_of(numbers={"saddle": Decimal(1)})[0].startswith("unknown option 'saddle'")
    with pytest.raises(CustomisationError) as caught:
        Customisation.with_defaults(
            frame(),
            {"geometry": "giant"},
            texts={"height": "180"},
            files={"drawing": attached(size=2_000_000)},
        )
    assert [(p.field, p.option_id) for p in caught.value.located] == [
        ("choices", "geometry"),
        ("texts", "height"),
        ("files", "drawing"),
    ], "each problem names where its value is"


def test_an_estimate_needs_the_choices_only() -> None:
    choices = Customisation.choices_with_defaults(frame(), {"geometry": "custom"})
    assert estimated_cost(frame(), choices) == Decimal("550")
    with pytest.raises(CustomisationError, match="invalid choice 'giant'"):
        Customisation.choices_with_defaults(frame(), {"geometry": "giant"})


def test_the_parts_that_use_a_value_carry_it_in_their_specification() -> None:
    custom = Customisation.with_defaults(
        frame(),
        {"geometry": "custom"},
        numbers={"height": Decimal(182)},
        texts={"engraving": "Anna"},
        files={"drawing": attached()},
    )
    parts = {part.part_id: part for part in required_parts(frame(), custom, quantity=2)}
    assert [value.words() for value in parts["tubes"].specification] == [
        "Body height: 182 cm",
        "Inseam: 82 cm",
        "Drawing: frame.pdf",
    ]
    assert [value.words() for value in parts["welding"].specification] == [
        "Body height: 182 cm",
        "Engraving: Anna",
    ]
    assert parts["check"].specification == ()
    drawing = parts["tubes"].specification[2].file
    assert drawing is not None and drawing.sha256 == SHA
    assert "upload_id" not in drawing.model_dump(), "a supplier learns the file's name and digest, not our id"
    assert custom.words(frame()) == (
        "Geometry: Made to measure",
        "Body height: 182 cm",
        "Inseam: 82 cm",
        "Engraving: Anna",
        "Drawing: frame.pdf",
    )


def test_an_order_with_values_survives_the_codec_and_checks_them() -> None:
    custom = Customisation.with_defaults(frame(), {"geometry": "custom"}, numbers={"height": Decimal(182)})
    order = Order(
        customer_id="c",
        manufacturer_id="m",
        product_id="frame",
        customisation=custom,
        delivery_date="2999-01-01",
    )
    again = decode(encode(order), Order)
    assert again == order and again.customisation.numbers["height"] == Decimal(182)
    bad = order.model_copy(
        update={"customisation": custom.model_copy(update={"numbers": {"height": Decimal(1)}})}
    )
    with pytest.raises(CustomisationError, match="Body height must be from 140 to 210 cm, not 1"):
        bad.required_parts(frame())


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-100, max_value=400), st.sampled_from(["0", "0.5", "0.25"]))
def test_a_number_fits_exactly_when_it_is_on_the_grid_inside_the_range(whole: int, fraction: str) -> None:
    spec = NumberSpec(unit="cm", minimum=Decimal(60), maximum=Decimal(100), step=Decimal("0.5"))
    value = Decimal(whole) + Decimal(fraction)
    fits = Decimal(60) <= value <= Decimal(100) and fraction != "0.25"
    assert (spec.problem("Inseam", value) is None) is fits


def test_the_shipped_json_schemas_accept_every_kind_and_value() -> None:
    custom = Customisation.with_defaults(
        frame(), {"geometry": "custom"}, numbers={"height": Decimal(182)}, files={"drawing": attached()}
    )
    order = Order(
        customer_id="c",
        manufacturer_id="m",
        product_id="frame",
        customisation=custom,
        delivery_date="2999-01-01",
    )
    tubes = next(part for part in order.required_parts(frame()) if part.part_id == "tubes")
    cfp = CallForProposals(
        order_id=order.id, part=tubes, delivery_date="2999-01-01", reply_by="2998-12-01T00:00:00Z"
    )
    for content in (frame(), order, cfp):
        check_content(content)
