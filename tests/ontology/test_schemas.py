"""The JSON Schemas shipped in docs/schemas/ are the generated ones, and real content validates against them.

``jsonschema`` is not a dependency, so :class:`MiniValidator` below checks the keywords pydantic's schemas
use (``$ref``, ``type``, ``properties``, ``required``, ``additionalProperties``, ``items``, ``anyOf``,
``allOf``, ``if``/``then``, ``enum``, ``const``, lengths, bounds, ``pattern``); ``format`` is not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology import CallForProposals, IssueWeights, Ping, Pong, Reason, RequiredPart, encode
from ontology.codec import ONTOLOGY_NAME, ONTOLOGY_VERSION, Content
from ontology.console import OrderStatusNotice
from ontology.order import OrderStatus
from ontology.process import ProcessKind, QualityLevel
from ontology.schemas import ENVELOPE_FILE, content_types, differences, generate, main, schema_file
from tests.ontology.examples import offer, supplier
from tests.ontology.strategies import content_strategies

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
ORDER_ID = UUID("6f1c2a39-6f5c-4b0e-9c1e-0d5a3f1d2b11")


_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda value, bound: value >= bound,
    "maximum": lambda value, bound: value <= bound,
    "exclusiveMinimum": lambda value, bound: value > bound,
    "exclusiveMaximum": lambda value, bound: value < bound,
}


class MiniValidator:
    """Validates JSON values against the schema files of one directory."""

    _TYPES: dict[str, tuple[type, ...]] = {
        "object": (dict,),
        "array": (list,),
        "string": (str,),
        "integer": (int,),
        "number": (int, float),
        "boolean": (bool,),
        "null": (type(None),),
    }

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, Any] = {}

    def document(self, name: str) -> Any:
        if name not in self._files:
            self._files[name] = json.loads((self.directory / name).read_text(encoding="utf-8"))
        return self._files[name]

    def errors(self, value: Any, file: str) -> list[str]:
        root = self.document(file)
        return self._check(value, root, root, "$")

    def _resolve(self, ref: str, root: Any) -> tuple[Any, Any]:
        file, _, pointer = ref.partition("#")
        if file:
            root = self.document(file)
        target = root
        for part in filter(None, pointer.split("/")):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target, root

    def _is(self, value: Any, kind: str) -> bool:
        if isinstance(value, bool) and kind not in ("boolean",):
            return False
        return isinstance(value, self._TYPES[kind])

    def _check(self, value: Any, schema: Any, root: Any, at: str) -> list[str]:
        if schema is True:
            return []
        if schema is False:
            return [f"{at}: nothing is allowed here"]
        found: list[str] = []
        if "$ref" in schema:
            target, target_root = self._resolve(schema["$ref"], root)
            found += self._check(value, target, target_root, at)
        kinds = schema.get("type")
        if kinds is not None:
            names = kinds if isinstance(kinds, list) else [kinds]
            if not any(self._is(value, kind) for kind in names):
                return [*found, f"{at}: {value!r} is not of type {kinds}"]
        if "const" in schema and value != schema["const"]:
            found.append(f"{at}: {value!r} is not {schema['const']!r}")
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{at}: {value!r} is not one of {schema['enum']}")
        for branch in schema.get("allOf", ()):
            found += self._check(value, branch, root, at)
        if "anyOf" in schema and all(self._check(value, b, root, at) for b in schema["anyOf"]):
            found.append(f"{at}: {value!r} matches no branch of anyOf")
        if "oneOf" in schema and sum(not self._check(value, b, root, at) for b in schema["oneOf"]) != 1:
            found.append(f"{at}: {value!r} does not match exactly one branch of oneOf")
        if "if" in schema and not self._check(value, schema["if"], root, at):
            found += self._check(value, schema.get("then", True), root, at)
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            found += [
                f"{at}: {name!r} is required" for name in schema.get("required", ()) if name not in value
            ]
            for name, item in value.items():
                if name in properties:
                    found += self._check(item, properties[name], root, f"{at}.{name}")
                elif "additionalProperties" in schema:
                    found += self._check(item, schema["additionalProperties"], root, f"{at}.{name}")
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
                found.append(f"{at}: {len(value)} items is out of bounds")
            prefix = schema.get("prefixItems", [])
            for index, item in enumerate(value):
                items = prefix[index] if index < len(prefix) else schema.get("items", True)
                found += self._check(item, items, root, f"{at}[{index}]")
        if isinstance(value, str):
            if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
                found.append(f"{at}: length {len(value)} is out of bounds")
            if "pattern" in schema and re.search(schema["pattern"], value) is None:
                found.append(f"{at}: {value!r} does not match {schema['pattern']!r}")
        if self._is(value, "number"):
            found += [
                f"{at}: {value} breaks {key} {schema[key]}"
                for key, ok in _BOUNDS.items()
                if key in schema and not ok(value, schema[key])
            ]
        return found


VALIDATOR = MiniValidator(SCHEMAS)


def required_fields(file: str) -> list[str]:
    document = VALIDATOR.document(file)
    return list(document.get("required", []))


def check_content(model: Content) -> None:
    """Encode ``model`` with the codec and check the text against the shipped schemas."""
    text = encode(model)
    envelope = json.loads(text)
    assert VALIDATOR.errors(envelope, ENVELOPE_FILE) == []
    name = type(model).content_type
    assert envelope["type"] == name
    file = schema_file(name)
    assert VALIDATOR.errors(envelope["data"], file) == []
    assert [field for field in required_fields(file) if field not in envelope["data"]] == []
    assert type(model).model_validate_json(json.dumps(envelope["data"])) == model


# ---------------------------------------------------------------- the files


def test_shipped_schemas_are_the_generated_ones() -> None:
    problems = differences(SCHEMAS)
    assert problems == [], "regenerate: python -m ontology.schemas --out docs/schemas"


def test_every_content_type_has_a_schema_named_in_the_envelope() -> None:
    types = content_types()
    assert {"Ping", "Pong", "Reason", "CallForProposals", "Offer", "Order", "OrderStatusNotice"} <= set(types)
    files = generate()
    assert set(files) == {schema_file(name) for name in types} | {ENVELOPE_FILE}
    envelope = json.loads(files[ENVELOPE_FILE])
    assert envelope["properties"]["type"]["enum"] == list(types)
    assert envelope["properties"]["ontology"]["const"] == ONTOLOGY_NAME
    assert envelope["required"] == ["ontology", "version", "type", "data"]
    refs = {rule["then"]["properties"]["data"]["$ref"] for rule in envelope["allOf"]}
    assert refs == {schema_file(name) for name in types}


def test_output_is_deterministic_sorted_and_newline_terminated() -> None:
    first, second = generate(), generate()
    assert first == second
    for text in first.values():
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_envelope_version_pattern_follows_the_decoder() -> None:
    pattern = VALIDATOR.document(ENVELOPE_FILE)["properties"]["version"]["pattern"]
    major = ONTOLOGY_VERSION.split(".")[0]
    for accepted in (ONTOLOGY_VERSION, major, f"{major}.7", f"{major}.2.1"):
        assert re.search(pattern, accepted), accepted
    for refused in ("", f"{int(major) + 1}.0", f"{major}0", f"x{major}.0"):
        assert re.search(pattern, refused) is None, refused


# ---------------------------------------------------------------- real content against them


EXAMPLES: list[Content] = [
    Ping(note="hello"),
    Pong(agent="ping@localhost", note="hello"),
    Reason(reason="not-authorised", detail="jade@example.org is bound to no party"),
    Reason(reason="busy"),
    CallForProposals(
        order_id=ORDER_ID,
        part=RequiredPart(
            part_id="frame", process=ProcessKind.CNC_MILLING, material="steel", quality=QualityLevel.PREMIUM
        ),
        delivery_date=date(2030, 6, 1),
        weights=IssueWeights(price=0.6, delivery=0.3, quality=0.1),
        reply_by=datetime(2030, 5, 1, 12, tzinfo=UTC),
        target_price=Decimal("120.50"),
    ),
    offer("frame", "s1", "118.00", 20, order_id=ORDER_ID),
    supplier(),
    OrderStatusNotice(
        order_id=ORDER_ID,
        status=OrderStatus.QUOTED,
        at=datetime(2030, 5, 1, tzinfo=UTC),
        price=Decimal("999.99"),
        currency="EUR",
    ),
]


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda m: type(m).__name__)
def test_hand_made_content_validates(model: Content) -> None:
    check_content(model)


STRATEGIES = content_strategies()


@pytest.mark.parametrize("cls", list(STRATEGIES), ids=lambda cls: cls.__name__)
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_every_content_type_validates(cls: type[Content], data: st.DataObject) -> None:
    check_content(data.draw(STRATEGIES[cls]))


def test_the_validator_is_not_vacuous() -> None:
    envelope = json.loads(encode(Pong(agent="ping@localhost")))
    assert VALIDATOR.errors({**envelope, "extra": 1}, ENVELOPE_FILE)
    assert VALIDATOR.errors({**envelope, "ontology": "fipa-agent-management"}, ENVELOPE_FILE)
    assert VALIDATOR.errors({**envelope, "type": "Nothing"}, ENVELOPE_FILE)
    assert VALIDATOR.errors({**envelope, "data": {"note": "x"}}, ENVELOPE_FILE)  # Pong without agent
    assert VALIDATOR.errors({**envelope, "type": "Ping"}, ENVELOPE_FILE)  # Ping has no agent
    cfp = json.loads(encode(EXAMPLES[4]))["data"]
    assert VALIDATOR.errors({**cfp, "round": 0}, "CallForProposals.json")
    assert VALIDATOR.errors({**cfp, "order_id": 7}, "CallForProposals.json")
    assert VALIDATOR.errors({k: v for k, v in cfp.items() if k != "reply_by"}, "CallForProposals.json")


# ---------------------------------------------------------------- the command


def test_check_lists_missing_extra_and_stale_files_and_writing_fixes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "missing: envelope.json" in capsys.readouterr().out
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "Old.json").write_text("{}\n")
    (tmp_path / "Ping.json").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("kept")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "extra: Old.json" in out
    assert "stale: Ping.json" in out
    assert main(["--out", str(tmp_path)]) == 0
    assert differences(tmp_path) == []
    assert (tmp_path / "notes.txt").read_text() == "kept"
