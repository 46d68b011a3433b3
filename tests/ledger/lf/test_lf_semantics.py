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


def error_words(expr: Any, names: Names) -> str | None:
    """The text of an ``ERROR @t "words"`` application anywhere in ``expr`` (None: there is none)."""
    if isinstance(expr, pblf.Expr) and expr.WhichOneof("Sum") == "app":
        fun = expr.app.fun
        if fun.WhichOneof("Sum") == "ty_app" and fun.ty_app.expr.builtin == pblf.BuiltinFunction.ERROR:
            return str(names.strings[expr.app.args[0].prim_lit.text_interned_str])
    for _, value in expr.ListFields():
        items = value if isinstance(value, (list, tuple)) or hasattr(value, "append") else [value]
        for item in items:
            if hasattr(item, "ListFields"):
                found = error_words(item, names)
                if found is not None:
                    return found
    return None


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
        choices = {names.strings[c.name_interned_str]: c for c in lf.choices}
        for choice in template.choices:
            lf_choice = choices[choice.name]
            assert projections(lf_choice.controllers, names) == list(choice.controllers)
            assert lf_choice.consuming == choice.consuming


def test_what_the_builder_cannot_express_fails_with_words_never_silently() -> None:
    """Every ``ensure`` and every choice body evaluates Daml ``ERROR`` saying where the rules run; choices
    without a body are ``pure ()``."""
    package = build_package()
    names = Names(package)
    [module] = package.modules
    by_name = {names.dotted[t.tycon_interned_dname]: t for t in module.templates}
    for template in MODEL.templates:
        lf = by_name[template.entity]
        assert template.ensure, template.entity
        words = error_words(lf.precond, names)
        assert words is not None and "ensure clause" in words and "daml build" in words
        choices = {names.strings[c.name_interned_str]: c for c in lf.choices}
        for choice in template.choices:
            body = choices[choice.name].update
            words = error_words(body, names)
            if choice.body is None:
                assert words is None and body.update.WhichOneof("Sum") == "pure"
            else:
                assert words is not None and f"{template.entity}.{choice.name}" in words
