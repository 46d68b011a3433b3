"""The platform's DAML model (``ledger.engine.templates``) as a DAML-LF 1.17 package, built in Python."""

from __future__ import annotations

from collections.abc import Sequence

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf

from ledger.engine.templates import (
    MODEL,
    PACKAGE_NAME,
    PACKAGE_VERSION,
    ChoiceDef,
    FieldDef,
    Model,
    TemplateDef,
)
from ledger.engine.types import BOOL, PARTY, ListOf
from ledger.lf.exprs import LfBuilder
from ledger.lf.interner import Interner

#: DAML-LF minor version written in the archive payload (the newest LF 1.x that dazl 8.9 parses).
LF_MINOR = "17"
THIS = "this"
ARG = "arg"
SELF = "self"
KEY = "key"


class _PackageBuilder:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.names = Interner()
        self.lf = LfBuilder(self.names)

    # -- data types ----------------------------------------------------------------------------

    def data_type(self, module: str, name: str, fields: Sequence[FieldDef]) -> pblf.DefDataType:
        return pblf.DefDataType(
            name_interned_dname=self.names.dotted(name),
            record=pblf.DefDataType.Fields(
                fields=[
                    pblf.FieldWithType(
                        field_interned_str=self.names.string(f.name), type=self.lf.type(f.type)
                    )
                    for f in fields
                ]
            ),
            serializable=True,
            location=self.lf.location(module),
        )

    # -- templates -----------------------------------------------------------------------------

    def parties(self, template: TemplateDef, fields: Sequence[str], of: pblf.Expr) -> pblf.Expr:
        """The ``[Party]`` made of Party fields (one each) and ``[Party]`` fields (all of them) of ``of``."""
        party_type = self.lf.type(PARTY)
        singles: list[pblf.Expr] = []
        lists: list[pblf.Expr] = []
        for name in fields:
            field_type = template.field(name).type
            value = self.lf.proj(template.module, template.entity, name, of)
            if field_type == PARTY:
                singles.append(value)
            elif field_type == ListOf(PARTY):
                lists.append(value)
            else:
                raise TypeError(f"{template.entity}.{name} is not a Party or [Party] field")
        return self.lf.concat(party_type, [self.lf.list_of(party_type, singles), *lists])

    def choice_update(self, template: TemplateDef, choice: ChoiceDef) -> pblf.Expr:
        """``pure ()`` for a choice without a body; for a body (asserts, ledger time, fetch-by-key, creates)
        an update that evaluates Daml ``ERROR`` with words saying why: this builder does not translate
        bodies, and a body that silently skipped a check would be worse than none."""
        result_type = self.lf.type(choice.result)
        if choice.body is None:
            return self.lf.pure(result_type, self.lf.unit())
        words = (
            f"{template.entity}.{choice.name}: the body of this choice is interpreted by the embedded "
            "ledger from ledger/engine/templates.py and is not in this package; run it on a Daml ledger "
            "with the DAR that `daml build` makes of ledger/daml"
        )
        return self.lf.pure(result_type, self.lf.error(result_type, words))

    def choice(self, template: TemplateDef, choice: ChoiceDef) -> pblf.TemplateChoice:
        return pblf.TemplateChoice(
            name_interned_str=self.names.string(choice.name),
            consuming=choice.consuming,
            controllers=self.parties(template, choice.controllers, self.lf.var(THIS)),
            arg_binder=pblf.VarWithType(
                var_interned_str=self.names.string(ARG), type=self.lf.con(template.module, choice.name)
            ),
            ret_type=self.lf.type(choice.result),
            update=self.choice_update(template, choice),
            self_binder_interned_str=self.names.string(SELF),
            location=self.lf.location(template.module),
        )

    def precondition(self, template: TemplateDef) -> pblf.Expr:
        """``True`` without rules; otherwise Daml ``ERROR`` with words saying why (this builder does not
        translate ``ensure`` rules, and a precondition that skipped them would let any contract exist)."""
        if not template.ensure:
            return self.lf.true()
        words = (
            f"{template.entity}: the ensure clause of this template is checked by the embedded ledger from "
            "ledger/engine/templates.py and is not in this package; create it on a Daml ledger with the DAR "
            "that `daml build` makes of ledger/daml"
        )
        return self.lf.error(self.lf.type(BOOL), words)

    def key(self, template: TemplateDef) -> pblf.DefTemplate.DefKey | None:
        """``key <KeyRecord with fields of this> : KeyRecord`` and ``maintainer key.<m>``: the maintainers
        are a lambda from the key to ``[key.m1, ...]``."""
        key = template.key
        if key is None:
            return None
        module = template.module
        this = self.lf.var(THIS)
        key_type = self.lf.con(module, key.record)
        body = self.lf.record(
            module, key.record, [(n, self.lf.proj(module, template.entity, n, this)) for n in key.fields]
        )
        maintainers = pblf.Expr(
            abs=pblf.Expr.Abs(
                param=[pblf.VarWithType(var_interned_str=self.names.string(KEY), type=key_type)],
                body=self.lf.list_of(
                    self.lf.type(PARTY),
                    [self.lf.proj(module, key.record, m, self.lf.var(KEY)) for m in key.maintainers],
                ),
            )
        )
        return pblf.DefTemplate.DefKey(type=key_type, complex_key=body, maintainers=maintainers)

    def template(self, template: TemplateDef) -> pblf.DefTemplate:
        this = self.lf.var(THIS)
        key = self.key(template)
        return pblf.DefTemplate(
            tycon_interned_dname=self.names.dotted(template.entity),
            param_interned_str=self.names.string(THIS),
            precond=self.precondition(template),
            signatories=self.parties(template, template.signatories, this),
            observers=self.parties(template, template.observers, this),
            agreement=self.lf.text(""),
            choices=[self.choice(template, c) for c in template.choices],
            location=self.lf.location(template.module),
            **({} if key is None else {"key": key}),
        )

    # -- modules and package -------------------------------------------------------------------

    def module(self, module: str) -> pblf.Module:
        records = [r for r in self.model.records if r.module == module]
        templates = [t for t in self.model.templates if t.module == module]
        data_types = [self.data_type(module, r.name, r.fields) for r in records]
        data_types += [self.data_type(module, t.entity, t.fields) for t in templates]
        choice_args: dict[str, tuple[FieldDef, ...]] = {}
        for t in templates:
            for c in t.choices:
                known = choice_args.setdefault(c.name, c.argument)
                if known != c.argument:
                    raise ValueError(f"choice {c.name} has two different argument records in {module}")
        data_types += [self.data_type(module, name, fields) for name, fields in choice_args.items()]
        return pblf.Module(
            name_interned_dname=self.names.dotted(module),
            flags=pblf.FeatureFlags(
                forbidPartyLiterals=True,
                dontDivulgeContractIdsInCreateArguments=True,
                dontDiscloseNonConsumingChoicesToObservers=True,
            ),
            data_types=data_types,
            templates=[self.template(t) for t in templates],
        )

    def package(self, name: str, version: str) -> pblf.Package:
        modules = sorted({t.module for t in self.model.templates} | {r.module for r in self.model.records})
        package = pblf.Package(modules=[self.module(m) for m in modules])
        package.metadata.CopyFrom(
            pblf.PackageMetadata(
                name_interned_str=self.names.string(name), version_interned_str=self.names.string(version)
            )
        )
        self.names.fill(package)
        return package


def build_package(
    model: Model = MODEL, name: str = PACKAGE_NAME, version: str = PACKAGE_VERSION
) -> pblf.Package:
    """The DAML-LF 1.17 ``Package`` of ``model``: one module per model module, records, templates, choices."""
    return _PackageBuilder(model).package(name, version)


__all__ = ["LF_MINOR", "build_package"]
