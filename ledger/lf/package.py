"""The platform's DAML model (``ledger.engine.templates``) as a DAML-LF 1.17 package, built in Python."""

from __future__ import annotations

from collections.abc import Sequence

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf

from ledger.engine.templates import (
    MODEL,
    PACKAGE_NAME,
    PACKAGE_VERSION,
    ChoiceDef,
    CreateEffect,
    FieldDef,
    Model,
    TemplateDef,
)
from ledger.engine.types import PARTY, ListOf
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

    def source(self, template: TemplateDef, choice: ChoiceDef, ref: str) -> pblf.Expr:
        """The expression of a field source ``this.<field>`` or ``arg.<field>``."""
        scope, _, name = ref.partition(".")
        if scope == THIS:
            template.field(name)
            return self.lf.proj(template.module, template.entity, name, self.lf.var(THIS))
        if scope == ARG:
            if name not in {f.name for f in choice.argument}:
                raise KeyError(f"{choice.name} has no argument field {name!r}")
            return self.lf.proj(template.module, choice.name, name, self.lf.var(ARG))
        raise ValueError(f"bad field source {ref!r}")

    def create(self, template: TemplateDef, choice: ChoiceDef, effect: CreateEffect) -> pblf.Expr:
        target = self.model.template(template.module, effect.template)
        missing = {f.name for f in target.fields} - set(effect.fields)
        if missing:
            raise ValueError(f"{choice.name} creates {effect.template} without {sorted(missing)}")
        fields = [(f.name, self.source(template, choice, effect.fields[f.name])) for f in target.fields]
        return self.lf.create(
            target.module, target.entity, self.lf.record(target.module, target.entity, fields)
        )

    def choice_update(self, template: TemplateDef, choice: ChoiceDef) -> pblf.Expr:
        """Creates each contract of ``choice.creates``; returns the first one's id, or ``()``."""
        result_type = self.lf.type(choice.result)
        if not choice.creates:
            return self.lf.pure(result_type, self.lf.unit())
        if len(choice.creates) == 1:
            return self.create(template, choice, choice.creates[0])
        bindings = []
        for i, effect in enumerate(choice.creates):
            cid_type = self.lf.prim(pblf.PrimType.CONTRACT_ID, self.lf.con(template.module, effect.template))
            bindings.append(
                pblf.Binding(
                    binder=pblf.VarWithType(var_interned_str=self.names.string(f"cid{i}"), type=cid_type),
                    bound=self.create(template, choice, effect),
                )
            )
        body = self.lf.pure(result_type, self.lf.var("cid0"))
        return pblf.Expr(update=pblf.Update(block=pblf.Block(bindings=bindings, body=body)))

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
        this = self.lf.var(THIS)
        return self.lf.all_of(
            [
                self.lf.greater_than_zero(
                    template.field(name).type, self.lf.proj(template.module, template.entity, name, this)
                )
                for name in template.ensure_positive
            ]
        )

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
