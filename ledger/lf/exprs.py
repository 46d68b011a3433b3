"""Small constructors of DAML-LF 1.x types and expressions over one package's intern tables."""

from __future__ import annotations

from collections.abc import Sequence

from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf

from ledger.engine.types import (
    ContractIdOf,
    DamlType,
    ListOf,
    Numeric,
    OptionalOf,
    Prim,
    RecordRef,
)
from ledger.lf.interner import Interner

_PRIMS: dict[str, pblf.PrimType] = {
    "Party": pblf.PrimType.PARTY,
    "Text": pblf.PrimType.TEXT,
    "Int64": pblf.PrimType.INT64,
    "Date": pblf.PrimType.DATE,
    "Timestamp": pblf.PrimType.TIMESTAMP,
    "Bool": pblf.PrimType.BOOL,
    "Unit": pblf.PrimType.UNIT,
}


class LfBuilder:
    """Builds types and expressions whose names are interned in one :class:`Interner`."""

    def __init__(self, interner: Interner) -> None:
        self.names = interner

    # -- names ---------------------------------------------------------------------------------

    def module_ref(self, module: str) -> pblf.ModuleRef:
        return pblf.ModuleRef(
            package_ref=pblf.PackageRef(self=pblf.Unit()),
            module_name_interned_dname=self.names.dotted(module),
        )

    def tycon(self, module: str, name: str) -> pblf.TypeConName:
        return pblf.TypeConName(module=self.module_ref(module), name_interned_dname=self.names.dotted(name))

    def location(self, module: str, line: int = 0) -> pblf.Location:
        return pblf.Location(
            module=self.module_ref(module),
            range=pblf.Location.Range(start_line=line, start_col=0, end_line=line, end_col=0),
        )

    # -- types ---------------------------------------------------------------------------------

    def prim(self, prim: pblf.PrimType, *args: pblf.Type) -> pblf.Type:
        return pblf.Type(prim=pblf.Type.Prim(prim=prim, args=list(args)))

    def con(self, module: str, name: str) -> pblf.Type:
        return pblf.Type(con=pblf.Type.Con(tycon=self.tycon(module, name)))

    def type(self, t: DamlType) -> pblf.Type:
        """The DAML-LF type of a model type."""
        match t:
            case Prim(name=name):
                return self.prim(_PRIMS[name])
            case Numeric(scale=scale):
                return self.prim(pblf.PrimType.NUMERIC, pblf.Type(nat=scale))
            case ListOf(elem=elem):
                return self.prim(pblf.PrimType.LIST, self.type(elem))
            case OptionalOf(elem=elem):
                return self.prim(pblf.PrimType.OPTIONAL, self.type(elem))
            case RecordRef(module=module, name=name):
                return self.con(module, name)
            case ContractIdOf(module=module, entity=entity):
                return self.prim(pblf.PrimType.CONTRACT_ID, self.con(module, entity))
        raise TypeError(f"not a DAML type: {t!r}")

    # -- expressions ---------------------------------------------------------------------------

    def var(self, name: str) -> pblf.Expr:
        return pblf.Expr(var_interned_str=self.names.string(name))

    def true(self) -> pblf.Expr:
        return pblf.Expr(prim_con=pblf.PrimCon.CON_TRUE)

    def unit(self) -> pblf.Expr:
        return pblf.Expr(prim_con=pblf.PrimCon.CON_UNIT)

    def text(self, value: str) -> pblf.Expr:
        return pblf.Expr(prim_lit=pblf.PrimLit(text_interned_str=self.names.string(value)))

    def proj(self, module: str, record: str, field: str, of: pblf.Expr) -> pblf.Expr:
        """``of.field`` where ``of`` is a value of the record type ``module:record``."""
        return pblf.Expr(
            rec_proj=pblf.Expr.RecProj(
                tycon=pblf.Type.Con(tycon=self.tycon(module, record)),
                field_interned_str=self.names.string(field),
                record=of,
            )
        )

    def list_of(self, elem_type: pblf.Type, items: Sequence[pblf.Expr]) -> pblf.Expr:
        nil = pblf.Expr(nil=pblf.Expr.Nil(type=elem_type))
        if not items:
            return nil
        return pblf.Expr(cons=pblf.Expr.Cons(type=elem_type, front=list(items), tail=nil))

    def concat(self, elem_type: pblf.Type, lists: Sequence[pblf.Expr]) -> pblf.Expr:
        """``lists[0] ++ lists[1] ++ ...`` (LF 1.x has no list-append builtin: see :meth:`append`)."""
        if not lists:
            return self.list_of(elem_type, [])
        result = lists[-1]
        for head in reversed(lists[:-1]):
            result = self.append(elem_type, head, result)
        return result

    def append(self, elem_type: pblf.Type, left: pblf.Expr, right: pblf.Expr) -> pblf.Expr:
        """``left ++ right``: ``FOLDR (\\x acc -> x :: acc) right left``."""
        list_type = self.prim(pblf.PrimType.LIST, elem_type)
        x, acc = "x$append", "acc$append"
        step = pblf.Expr(
            abs=pblf.Expr.Abs(
                param=[
                    pblf.VarWithType(var_interned_str=self.names.string(x), type=elem_type),
                    pblf.VarWithType(var_interned_str=self.names.string(acc), type=list_type),
                ],
                body=pblf.Expr(cons=pblf.Expr.Cons(type=elem_type, front=[self.var(x)], tail=self.var(acc))),
            )
        )
        foldr = pblf.Expr(
            ty_app=pblf.Expr.TyApp(
                expr=pblf.Expr(builtin=pblf.BuiltinFunction.FOLDR), types=[elem_type, list_type]
            )
        )
        return pblf.Expr(app=pblf.Expr.App(fun=foldr, args=[step, right, left]))

    def record(self, module: str, name: str, fields: Sequence[tuple[str, pblf.Expr]]) -> pblf.Expr:
        return pblf.Expr(
            rec_con=pblf.Expr.RecCon(
                tycon=pblf.Type.Con(tycon=self.tycon(module, name)),
                fields=[
                    pblf.FieldWithExpr(field_interned_str=self.names.string(label), expr=value)
                    for label, value in fields
                ],
            )
        )

    def create(self, module: str, entity: str, argument: pblf.Expr) -> pblf.Expr:
        return pblf.Expr(
            update=pblf.Update(create=pblf.Update.Create(template=self.tycon(module, entity), expr=argument))
        )

    def pure(self, t: pblf.Type, value: pblf.Expr) -> pblf.Expr:
        return pblf.Expr(update=pblf.Update(pure=pblf.Pure(type=t, expr=value)))

    def error(self, t: pblf.Type, words: str) -> pblf.Expr:
        """``ERROR @t words``: evaluating it fails with ``words``."""
        builtin = pblf.Expr(
            ty_app=pblf.Expr.TyApp(expr=pblf.Expr(builtin=pblf.BuiltinFunction.ERROR), types=[t])
        )
        return pblf.Expr(app=pblf.Expr.App(fun=builtin, args=[self.text(words)]))
