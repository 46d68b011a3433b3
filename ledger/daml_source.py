"""The Daml source of the model, rendered from :mod:`ledger.engine.templates` (the single source of truth).

``ledger/daml/daml/LotSizeOne/Contract.daml`` is this rendering, committed so that ``daml build`` (Daml 2.x)
builds the same model against a real ledger; a test checks the file is up to date. Regenerate it with
``python -m ledger.daml_source``.
"""

from __future__ import annotations

from pathlib import Path

from ledger.engine.model_rules import DAML_HELPERS
from ledger.engine.templates import MODEL, MODULE, ChoiceDef, FieldDef, Model, RecordDef, TemplateDef
from ledger.engine.types import DamlType, render

SOURCE_PATH = Path(__file__).parent / "daml" / "daml" / "LotSizeOne" / "Contract.daml"

_HEADER = """\
-- Generated from ledger/engine/templates.py by `python -m ledger.daml_source`: do not edit by hand.
-- Model v2 of the platform: the customer's order, accepted by the manufacturer into the order agreement
-- (keyed by manufacturer and order id: one per order); supply proposals from that agreement, accepted by
-- each supplier into a supply agreement (only while the order agreement exists); shipment and receipt as
-- consuming steps in ledger time; lateness and the penalty the wronged party claims; the invoice of the
-- agreed price, raised once by a choice on the agreement; payment claimed by the payer, confirmed by the
-- payee into a receipt."""

_IMPORTS = """\
import DA.Date (subDate, toDateUTC)
import DA.Optional (fromSome, isNone, isSome)
import qualified DA.Text as T
"""


def _plain(t: DamlType) -> str:
    """The type without outer parentheses (where Daml does not need them)."""
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


def _choice(choice: ChoiceDef) -> list[str]:
    lines = [
        "",
        f"    {'' if choice.consuming else 'nonconsuming '}choice {choice.name} : {_plain(choice.result)}",
    ]
    if choice.argument:
        lines += ["      with", *_fields(choice.argument, "        ")]
    lines.append(f"      controller {', '.join(choice.controllers)}")
    if choice.body is None:
        lines.append("      do pure ()")
        return lines
    lines.append("      do")
    lines += [f"        {line}" for line in choice.body.daml]
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
    if template.ensure:
        first, *rest = template.ensure
        lines += ["    ensure", f"      ({first.daml})", *(f"        && ({rule.daml})" for rule in rest)]
    for choice in template.choices:
        if choice.name != "Archive":  # Daml gives every template its Archive choice
            lines += _choice(choice)
    return [*lines, ""]


def render_source(model: Model = MODEL) -> str:
    lines = [_HEADER, "", f"module {MODULE} where", "", _IMPORTS]
    for record in model.records:
        lines += _record(record)
    lines += [DAML_HELPERS]
    for template in model.templates:
        lines += _template(template)
    return "\n".join(lines).rstrip() + "\n"


def write_source(path: Path = SOURCE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(), encoding="utf-8")


if __name__ == "__main__":
    write_source()
