"""The DAML-LF expressions say what the model says: signatories, observers, controllers, ensure, creates."""

from __future__ import annotations

from typing import Any

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf

from ledger.engine.templates import MODEL
from ledger.lf import build_package


class Names:
    def __init__(self, package: pblf.Package) -> None:
        self.strings = list(package.interned_strings)
        self.dotted = [
            ".".join(self.strings[i] for i in d.segments_interned_str) for d in package.interned_dotted_names
        ]


def projections(expr: Any, names: Names) -> list[str]:
    """Fields projected from the template parameter ``this`` anywhere in ``expr``, in order."""
    found: list[str] = []

    def walk(message: Any) -> None:
        if isinstance(message, pblf.Expr) and message.WhichOneof("Sum") == "rec_proj":
            record = message.rec_proj.record
            if (
                record.WhichOneof("Sum") == "var_interned_str"
                and names.strings[record.var_interned_str] == "this"
            ):
                found.append(names.strings[message.rec_proj.field_interned_str])
        for _, value in message.ListFields():
            items = value if isinstance(value, (list, tuple)) or hasattr(value, "append") else [value]
            for item in items:
                if hasattr(item, "ListFields"):
                    walk(item)

    walk(expr)
    return found


def test_template_expressions_follow_the_model() -> None:
    package = build_package()
    names = Names(package)
    [module] = package.modules
    by_name = {names.dotted[t.tycon_interned_dname]: t for t in module.templates}
    assert set(by_name) == {t.entity for t in MODEL.templates}
    for template in MODEL.templates:
        lf = by_name[template.entity]
        assert projections(lf.signatories, names) == list(template.signatories)
        assert projections(lf.observers, names) == list(template.observers)
        assert projections(lf.precond, names) == list(template.ensure_positive)
        choices = {names.strings[c.name_interned_str]: c for c in lf.choices}
        for choice in template.choices:
            lf_choice = choices[choice.name]
            assert projections(lf_choice.controllers, names) == list(choice.controllers)
            update = lf_choice.update.update
            if choice.creates:
                [effect] = choice.creates
                assert update.WhichOneof("Sum") == "create"
                assert names.dotted[update.create.template.name_interned_dname] == effect.template
                fields = update.create.expr.rec_con.fields
                target = MODEL.template(template.module, effect.template)
                assert [names.strings[f.field_interned_str] for f in fields] == [
                    f.name for f in target.fields
                ]
                assert sorted(projections(update.create.expr, names)) == sorted(
                    ref.removeprefix("this.") for ref in effect.fields.values() if ref.startswith("this.")
                )
            else:
                assert update.WhichOneof("Sum") == "pure"
