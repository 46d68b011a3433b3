"""Does an uploaded DAML-LF package hold the model this ledger runs? (structural conformance)

The engine interprets the model of ``ledger.engine.templates``; it does not evaluate DAML-LF. So a package's
templates may only be accepted, and run under that package's id, if they *are* the model's templates. A
template ``Module:Entity`` of a package conforms when

* the model has a template ``Module:Entity``;
* its record has the model's fields, in order, with the same DAML-LF types (records of the model, e.g.
  ``Item``, recursively; ``ContractId T`` and record references point into the same package);
* its ``signatory`` and ``observer`` expressions project exactly the model's signatory and observer fields
  of the contract (followed through the package's own top-level values, which is how ``daml build`` compiles
  them);
* it has exactly the model's choices (``Archive`` included), each with the same consuming flag, controller
  fields, argument record fields and result type;
* every template its choices create is in the package too (the package is closed under the model's
  effects).

Not compared: ``ensure`` clauses and choice bodies (beyond the created templates' presence), agreement
texts, and contract keys (so a package built before keys were added to the model still conforms). The
engine runs the model's ``ensure`` rules and choice bodies (``ledger.engine.templates``) whatever the
package says; a ``daml build`` DAR of ``ledger/daml`` runs the same rules in Daml on a Daml ledger.

A package without templates (e.g. ``daml-stdlib``, ``daml-prim`` of a ``daml build`` DAR) is a library: it
is accepted and runs nothing. Any template that does not conform refuses the whole package with
:class:`PackageNotModel` (gRPC INVALID_ARGUMENT, JSON API 400).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf
from dazl.damlast import util

from ledger.engine import MODEL, FieldDef, Model, TemplateDef
from ledger.engine.errors import InvalidIndependentOfSystemState
from ledger.engine.types import (
    ContractIdOf,
    DamlType,
    ListOf,
    Numeric,
    OptionalOf,
    Prim,
    RecordRef,
    render,
)
from ledger.lf.validate import DalfPackage

_PRIMS = {
    "PARTY": "Party",
    "TEXT": "Text",
    "INT64": "Int64",
    "DATE": "Date",
    "TIMESTAMP": "Timestamp",
    "BOOL": "Bool",
    "UNIT": "Unit",
}


class PackageNotModel(InvalidIndependentOfSystemState):
    """The package's templates are not the model this ledger runs (Daml's ``DAR_VALIDATION_ERROR`` code,
    category 8, InvalidIndependentOfSystemState: Daml would run any well-typed package; this ledger runs its
    own model only)."""

    code = "DAR_VALIDATION_ERROR"


class _Refused(Exception):
    pass


def model_templates(
    package: DalfPackage, dar: Iterable[DalfPackage] = (), model: Model = MODEL
) -> frozenset[str]:
    """The ``Module:Entity`` names of the model's templates ``package`` holds (empty for a library).

    ``dar``: the other packages of the same DAR (where choice argument types such as daml-stdlib's
    ``Archive`` live). Raises :class:`PackageNotModel` if a template of ``package`` does not conform."""
    if not package.has_templates:
        return frozenset()
    if package.lf1 is None:
        raise PackageNotModel(
            f"package {package.package_id} is DAML-LF 2: this ledger runs its DAML-LF 1 model only",
            {"package_id": package.package_id},
        )
    checker = _Checker(package, [package, *dar], model)
    try:
        return checker.run()
    except _Refused as exc:
        raise PackageNotModel(
            f"package {package.package_id} is not the model this ledger runs: {exc}",
            {"package_id": package.package_id},
        ) from None


class _Checker:
    def __init__(self, package: DalfPackage, dar: list[DalfPackage], model: Model) -> None:
        self.package = package
        self.package_id = package.package_id
        self.model = model
        self.packages = {p.package_id: p for p in dar}
        self.exprs = _PbIndex(package.lf1) if package.lf1 is not None else None

    # -- the package's templates ----------------------------------------------------------------

    def run(self) -> frozenset[str]:
        found: dict[str, tuple[Any, TemplateDef]] = {}
        for module in self.package.archive.package.modules:
            module_name = str(module.name)
            for template in module.templates:
                entity = str(template.tycon)
                try:
                    tdef = self.model.template(module_name, entity)
                except KeyError:
                    raise _Refused(
                        f"template {module_name}:{entity} is not a template of the model"
                    ) from None
                found[tdef.qualified_name] = (template, tdef)
        for template, tdef in found.values():
            self.template(template, tdef)
            for choice in tdef.choices:
                for created in choice.creates:
                    target = f"{tdef.module}:{created}"
                    if target not in found:
                        raise _Refused(
                            f"{tdef.entity}.{choice.name} creates {target}, missing from the package"
                        )
        return frozenset(found)

    def template(self, template: Any, tdef: TemplateDef) -> None:
        where = tdef.qualified_name
        self.record_fields(self.package_id, tdef.module, tdef.entity, tdef.fields, where)
        if self.exprs is not None:
            pb = self.exprs.template(tdef.module, tdef.entity)
            self.parties(pb.signatories, tdef, tdef.signatories, f"{where} signatories")
            self.parties(pb.observers, tdef, tdef.observers, f"{where} observers")
        choices = {str(c.name): c for c in template.choices}
        wanted = {c.name for c in tdef.choices}
        if set(choices) != wanted:
            raise _Refused(f"{where} has choices {sorted(choices)}, the model {sorted(wanted)}")
        for cdef in tdef.choices:
            choice = choices[cdef.name]
            cwhere = f"{where}.{cdef.name}"
            if bool(choice.consuming) != cdef.consuming:
                raise _Refused(f"{cwhere} is {'' if choice.consuming else 'non'}consuming, unlike the model")
            self.type(choice.ret_type, cdef.result, f"{cwhere} result")
            arg = choice.arg_binder.type
            if arg.con is None:
                raise _Refused(f"{cwhere}'s argument is not a record")
            tycon = arg.con.tycon
            self.record_fields(
                str(util.package_ref(tycon)),
                str(util.module_name(tycon)),
                util.module_local_name(tycon),
                cdef.argument,
                f"{cwhere} argument",
            )
            if self.exprs is not None:
                pb_choice = self.exprs.choice(tdef.module, tdef.entity, cdef.name)
                self.parties(pb_choice.controllers, tdef, cdef.controllers, f"{cwhere} controllers")

    # -- types ----------------------------------------------------------------------------------

    def data_type(self, package_id: str, module: str, name: str) -> Any:
        package = self.packages.get(package_id)
        if package is None:
            raise _Refused(f"type {module}:{name} is in package {package_id}, which the DAR does not hold")
        for m in package.archive.package.modules:
            if str(m.name) == module:
                for dt in m.data_types:
                    if str(dt.name) == name:
                        return dt
        raise _Refused(f"no data type {module}:{name} in package {package_id}")

    def record_fields(
        self, package_id: str, module: str, name: str, fields: tuple[FieldDef, ...], where: str
    ) -> None:
        dt = self.data_type(package_id, module, name)
        if dt.record is None or dt.params:
            raise _Refused(f"{where}: {module}:{name} is not a plain record")
        actual = [(f.field, f.type) for f in dt.record.fields]
        if [n for n, _ in actual] != [f.name for f in fields]:
            raise _Refused(
                f"{where} has fields {[n for n, _ in actual]}, the model {[f.name for f in fields]}"
            )
        for (field_name, lf_type), fdef in zip(actual, fields, strict=True):
            self.type(lf_type, fdef.type, f"{where}.{field_name}")

    def type(self, lf_type: Any, expected: DamlType, where: str) -> None:
        def refuse() -> _Refused:
            return _Refused(f"{where} is not of the model's type {render(expected)}")

        prim = lf_type.prim
        match expected:
            case Prim(name=name):
                if prim is None or _PRIMS.get(prim.prim.name) != name or prim.args:
                    raise refuse()
            case Numeric(scale=scale):
                if prim is None or prim.prim.name != "NUMERIC" or len(prim.args) != 1:
                    raise refuse()
                if prim.args[0].nat != scale:
                    raise refuse()
            case ListOf(elem=elem) | OptionalOf(elem=elem):
                kind = "LIST" if isinstance(expected, ListOf) else "OPTIONAL"
                if prim is None or prim.prim.name != kind or len(prim.args) != 1:
                    raise refuse()
                self.type(prim.args[0], elem, where)
            case ContractIdOf(module=module, entity=entity):
                if prim is None or prim.prim.name != "CONTRACT_ID" or len(prim.args) != 1:
                    raise refuse()
                self.con(prim.args[0], module, entity, where, refuse)
            case RecordRef(module=module, name=name):
                self.con(lf_type, module, name, where, refuse)
                record = self.model.record(expected)
                self.record_fields(self.package_id, module, name, record.fields, f"{where} ({name})")

    def con(self, lf_type: Any, module: str, name: str, where: str, refuse: Any) -> None:
        con = lf_type.con
        if con is None or con.args:
            raise refuse()
        tycon = con.tycon
        same = (str(util.package_ref(tycon)), str(util.module_name(tycon)), util.module_local_name(tycon))
        if same != (self.package_id, module, name):
            raise refuse()

    # -- parties --------------------------------------------------------------------------------

    def parties(self, expr: pblf.Expr, tdef: TemplateDef, fields: tuple[str, ...], where: str) -> None:
        assert self.exprs is not None
        projected = self.exprs.projected_fields(expr, tdef.module, tdef.entity)
        if projected != set(fields):
            raise _Refused(f"{where} are the fields {sorted(projected)}, the model's {sorted(fields)}")


class _PbIndex:
    """Names and top-level values of a raw DAML-LF 1.x package, for walking its expressions."""

    def __init__(self, package: pblf.Package) -> None:
        self.strings = list(package.interned_strings)
        self.dotted = [
            ".".join(self.strings[i] for i in d.segments_interned_str) for d in package.interned_dotted_names
        ]
        self.modules: dict[str, pblf.Module] = {}
        self.values: dict[tuple[str, str], pblf.Expr] = {}
        for module in package.modules:
            name = self.dname(module, "name")
            self.modules[name] = module
            for value in module.values:
                self.values[(name, self.dname(value.name_with_type, "name"))] = value.expr

    def dname(self, message: Any, field: str) -> str:
        """A dotted name held as ``<field>_dname`` (segments) or ``<field>_interned_dname`` (an index)."""
        descriptor = message.DESCRIPTOR.fields_by_name[f"{field}_dname"]
        oneof = descriptor.containing_oneof
        if oneof is not None:
            if message.WhichOneof(oneof.name) == f"{field}_dname":
                return ".".join(getattr(message, f"{field}_dname").segments)
        elif len(getattr(message, f"{field}_dname")):
            return ".".join(getattr(message, f"{field}_dname"))
        return str(self.dotted[getattr(message, f"{field}_interned_dname")])

    def string(self, message: Any, field: str) -> str:
        """A string held as ``<field>_str`` or ``<field>_interned_str`` (one oneof)."""
        if message.WhichOneof(field) == f"{field}_str":
            return str(getattr(message, f"{field}_str"))
        return str(self.strings[getattr(message, f"{field}_interned_str")])

    def template(self, module: str, entity: str) -> Any:
        for template in self.modules[module].templates:
            if self.dname(template, "tycon") == entity:
                return template
        raise _Refused(f"no template {module}:{entity}")

    def choice(self, module: str, entity: str, name: str) -> Any:
        for choice in self.template(module, entity).choices:
            if self.string(choice, "name") == name:
                return choice
        raise _Refused(f"{module}:{entity} has no choice {name}")

    def projected_fields(self, expr: pblf.Expr, module: str, entity: str) -> set[str]:
        """Fields of the record ``module:entity`` (of this package) that ``expr`` projects, following the
        package's own top-level values it calls."""
        found: set[str] = set()
        seen: set[tuple[str, str]] = set()
        pending: list[Any] = [expr]
        while pending:
            for node in _walk(pending.pop()):
                if isinstance(node, pblf.Expr.RecProj):
                    ref = node.tycon.tycon
                    if self.is_self(ref.module) and (
                        self.dname(ref.module, "module_name"),
                        self.dname(ref, "name"),
                    ) == (module, entity):
                        found.add(self.string(node, "field"))
                elif isinstance(node, pblf.ValName) and self.is_self(node.module):
                    key = (self.dname(node.module, "module_name"), self.dname(node, "name"))
                    if key not in seen and key in self.values:
                        seen.add(key)
                        pending.append(self.values[key])
        return found

    @staticmethod
    def is_self(module_ref: pblf.ModuleRef) -> bool:
        return bool(module_ref.package_ref.WhichOneof("Sum") == "self")


def _walk(message: Any) -> Iterator[Any]:
    """Every protobuf message under ``message`` (itself included), depth first."""
    stack = [message]
    while stack:
        node = stack.pop()
        yield node
        for descriptor, value in node.ListFields():
            if descriptor.message_type is None:
                continue
            if _repeated(descriptor):
                if isinstance(value, Mapping):
                    stack.extend(value.values())
                else:
                    stack.extend(value)
            else:
                stack.append(value)


def _repeated(descriptor: Any) -> bool:
    flag = getattr(descriptor, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(descriptor.label == descriptor.LABEL_REPEATED)
