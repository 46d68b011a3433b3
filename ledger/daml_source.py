"""The DAML source of the model, rendered from :mod:`ledger.engine.templates` (the single source of truth).

``ledger/daml/daml/LotSizeOne/Contract.daml`` is this rendering, committed so that ``daml build`` (Daml 2.x)
builds the same model against a real ledger; a test checks the file is up to date. Regenerate it with
``python -m ledger.daml_source``.
"""

from __future__ import annotations

from pathlib import Path

from ledger.engine.templates import MODEL, MODULE, ChoiceDef, FieldDef, Model, RecordDef, TemplateDef
from ledger.engine.types import DamlType, Numeric, Prim, render

SOURCE_PATH = Path(__file__).parent / "daml" / "daml" / "LotSizeOne" / "Contract.daml"

_HEADER = """\
-- Generated from ledger/engine/templates.py by `python -m ledger.daml_source`: do not edit by hand.
-- The platform's contract model: the customer order, the order agreement (the manufacturer proposes, the
-- customer accepts, so both sign), one supply agreement per supplier (the manufacturer proposes, the supplier
-- accepts), the delivery commitment, the invoice and its payment receipt.
"""


def _plain(t: DamlType) -> str:
    """The type without outer parentheses (where DAML does not need them)."""
    text = render(t)
    return text[1:-1] if len(text) > 2 and text.startswith("(") and text.endswith(")") else text


def _fields(fields: tuple[FieldDef, ...], indent: str) -> list[str]:
    return [f"{indent}{f.name} : {_plain(f.type)}" for f in fields]


def _record(record: RecordDef) -> list[str]:
    return [
        f"data {record.name} = {record.name} with",
        *_fields(record.fields, "    "),
        "  deriving (Eq, Show)",
        "",
    ]


def _zero(template: TemplateDef, name: str) -> str:
    field_type = template.field(name).type
    if isinstance(field_type, Numeric):
        return "0.0"
    if isinstance(field_type, Prim) and field_type.name == "Int64":
        return "0"
    raise TypeError(f"{template.entity}.{name} is not a number")


def _choice(choice: ChoiceDef) -> list[str]:
    lines = [
        "",
        f"    {'' if choice.consuming else 'nonconsuming '}choice {choice.name} : {_plain(choice.result)}",
    ]
    if choice.argument:
        lines += ["      with", *_fields(choice.argument, "        ")]
    lines.append(f"      controller {', '.join(choice.controllers)}")
    if not choice.creates:
        lines.append("      do pure ()")
        return lines
    (effect,) = choice.creates
    assignments = [f"{name} = {source.partition('.')[2]}" for name, source in effect.fields.items()]
    lines.append(f"      do create {effect.template} with")
    lines += [f"           {a}" for a in assignments]
    return lines


def _template(template: TemplateDef) -> list[str]:
    lines = [f"template {template.entity}", "  with", *_fields(template.fields, "    "), "  where"]
    lines.append(f"    signatory {', '.join(template.signatories)}")
    if template.observers:
        lines.append(f"    observer {', '.join(template.observers)}")
    if template.key is not None:
        key = template.key
        lines.append(f"    key ({key.record} {' '.join(key.fields)}) : {key.record}")
        lines.append(f"    maintainer {', '.join(f'key.{m}' for m in key.maintainers)}")
    if template.ensure_positive:
        lines.append(
            "    ensure "
            + " && ".join(f"{name} > {_zero(template, name)}" for name in template.ensure_positive)
        )
    for choice in template.choices:
        if choice.name != "Archive":  # DAML gives every template its Archive choice
            lines += _choice(choice)
    return [*lines, ""]


def render_source(model: Model = MODEL) -> str:
    lines = [_HEADER, f"module {MODULE} where", ""]
    for record in model.records:
        lines += _record(record)
    for template in model.templates:
        lines += _template(template)
    return "\n".join(lines).rstrip() + "\n"


def write_source(path: Path = SOURCE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(), encoding="utf-8")


if __name__ == "__main__":
    write_source()
