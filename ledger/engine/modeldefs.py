"""The building blocks of the declarative model (``ledger.engine.templates`` is the model itself).

One definition drives three things: the engine interprets the Python parts (``EnsureRule.check``,
``ChoiceBody.run``), ``ledger.daml_source`` renders the Daml parts (``EnsureRule.daml``,
``ChoiceBody.daml``), and the DAML-LF builder (``ledger.lf``) reads the structure (fields, parties, keys,
choices). A choice body sees the exercised contract (``this``), its argument, the ledger time and a
fetch-by-key lookup, and answers the contracts to create (the first one's id is the choice's result when it
returns a ``ContractId``) or raises :class:`ledger.engine.errors.UnhandledException` with the assert's words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.engine.errors import UnhandledException
from ledger.engine.types import PARTY, UNIT, DamlType, render

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    type: DamlType


@dataclass(frozen=True, slots=True)
class RecordDef:
    """A record data type (not a template) of the model."""

    module: str
    name: str
    fields: tuple[FieldDef, ...]


@dataclass(frozen=True, slots=True)
class EnsureRule:
    """One conjunct of a template's ``ensure``: ``daml`` is its Daml expression (over the template's fields
    and the module's helper functions), ``check`` the same test in Python over the normalised payload, and
    ``words`` what a refusal says (``TEMPLATE_PRECONDITION_VIOLATED``)."""

    daml: str
    check: Callable[[Payload], bool]
    words: str


@dataclass(frozen=True, slots=True)
class NewContract:
    """A contract a choice body creates: a template of the same module and its argument."""

    template: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChoiceContext:
    """What a choice body sees: the exercised contract's payload (``this``), the choice argument (``arg``),
    the ledger time (``now``, a Timestamp value, and ``today``, its UTC date) and ``fetch_by_key(template,
    key)`` (Daml's ``fetchByKey``: the payload of the active contract of that template with that key, or
    ``CONTRACT_KEY_NOT_FOUND``)."""

    this: Payload
    arg: Payload
    now: str
    today: date
    fetch_by_key: Callable[[str, Payload], Payload]


def require(condition: bool, words: str) -> None:
    """Daml's ``assertMsg words condition``: refuse the whole transaction when ``condition`` is false."""
    if not condition:
        raise UnhandledException(words)


@dataclass(frozen=True, slots=True)
class ChoiceBody:
    """A choice's effect: ``daml`` the lines of its ``do`` block (indented by the renderer), ``run`` the same
    in Python, ``creates`` the templates it may create (for the package's closure check)."""

    daml: tuple[str, ...]
    run: Callable[[ChoiceContext], Sequence[NewContract]]
    creates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChoiceDef:
    """A choice: its ``controllers`` are Party fields of the contract; its argument is a record named after
    the choice (fields ``argument``) in the template's module; ``result`` is its return type; ``body`` its
    effect (None: ``pure ()``, nothing created)."""

    name: str
    controllers: tuple[str, ...]
    consuming: bool = True
    argument: tuple[FieldDef, ...] = ()
    result: DamlType = UNIT
    body: ChoiceBody | None = None

    @property
    def creates(self) -> tuple[str, ...]:
        return () if self.body is None else self.body.creates


@dataclass(frozen=True, slots=True)
class KeyDef:
    """A template's contract key (Daml ``key ... : T`` / ``maintainer key.m``): a record ``record`` whose
    fields are template fields of the same name and type; ``maintainers`` are Party fields of the key, each
    also a signatory of the template (Daml requires it)."""

    record: str
    fields: tuple[str, ...]
    maintainers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TemplateDef:
    """A template: its argument record is named after the entity and has ``fields``; ``signatories`` and
    ``observers`` are Party (or [Party]) fields; ``key`` its contract key (or None); ``ensure`` its rules."""

    module: str
    entity: str
    fields: tuple[FieldDef, ...]
    signatories: tuple[str, ...]
    observers: tuple[str, ...] = ()
    choices: tuple[ChoiceDef, ...] = ()
    key: KeyDef | None = None
    ensure: tuple[EnsureRule, ...] = ()

    @property
    def qualified_name(self) -> str:
        return f"{self.module}:{self.entity}"

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.entity} has no field {name!r}")

    def choice(self, name: str) -> ChoiceDef:
        for c in self.choices:
            if c.name == name:
                return c
        raise KeyError(f"{self.entity} has no choice {name!r}")

    def broken_rule(self, payload: Payload) -> EnsureRule | None:
        """The first ``ensure`` rule ``payload`` breaks (None: the contract may exist)."""
        for rule in self.ensure:
            if not rule.check(payload):
                return rule
        return None


def check_key(template: TemplateDef) -> None:
    """Daml's static rules for a key: its fields exist, its maintainers are Party fields of the key and
    signatories of the template (a maintainer that is not a signatory is a compile error in Daml)."""
    key = template.key
    if key is None:
        return
    if not key.maintainers:
        raise ValueError(f"{template.entity}: a contract key needs at least one maintainer")
    for name in key.fields:
        template.field(name)
    for name in key.maintainers:
        if name not in key.fields or template.field(name).type != PARTY:
            raise ValueError(f"{template.entity}: maintainer {name!r} is not a Party field of the key")
        if name not in template.signatories:
            raise ValueError(f"{template.entity}: maintainer {name!r} is not a signatory")


def key_records(templates: tuple[TemplateDef, ...]) -> tuple[RecordDef, ...]:
    """The key record types of ``templates``: each field typed as the template field of that name (two
    templates sharing a key record must agree on its fields)."""
    found: dict[tuple[str, str], RecordDef] = {}
    for t in templates:
        if t.key is None:
            continue
        record = RecordDef(t.module, t.key.record, tuple(t.field(name) for name in t.key.fields))
        known = found.setdefault((t.module, t.key.record), record)
        if known != record:
            raise ValueError(f"key record {t.key.record} has different fields in {t.entity}")
    return tuple(found.values())


def _fields(fields: tuple[FieldDef, ...]) -> list[list[str]]:
    return [[f.name, render(f.type)] for f in fields]


@dataclass(frozen=True)
class Model:
    """A set of templates and records, looked up by entity name or ``Module:Entity``."""

    templates: tuple[TemplateDef, ...]
    records: tuple[RecordDef, ...]

    def template(self, module: str, entity: str) -> TemplateDef:
        for t in self.templates:
            if t.module == module and t.entity == entity:
                return t
        raise KeyError(f"no template {module}:{entity}")

    def record(self, ref: Any) -> RecordDef:
        """The record ``ref`` (a :class:`ledger.engine.types.RecordRef`) names: a data type or a template's
        argument record."""
        for r in self.records:
            if r.module == ref.module and r.name == ref.name:
                return r
        for t in self.templates:
            if t.module == ref.module and t.entity == ref.name:
                return RecordDef(t.module, t.entity, t.fields)
        raise KeyError(f"no record {ref.module}:{ref.name}")

    def describe(self) -> dict[str, object]:
        """A canonical JSON-able description (used for the model's fingerprint)."""
        return {
            "records": [
                {"module": r.module, "name": r.name, "fields": _fields(r.fields)} for r in self.records
            ],
            "templates": [
                {
                    "module": t.module,
                    "entity": t.entity,
                    "fields": _fields(t.fields),
                    "signatories": list(t.signatories),
                    "observers": list(t.observers),
                    "ensure": [rule.daml for rule in t.ensure],
                    **(
                        {}
                        if t.key is None
                        else {
                            "key": {
                                "record": t.key.record,
                                "fields": list(t.key.fields),
                                "maintainers": list(t.key.maintainers),
                            }
                        }
                    ),
                    "choices": [
                        {
                            "name": c.name,
                            "controllers": list(c.controllers),
                            "consuming": c.consuming,
                            "argument": _fields(c.argument),
                            "result": render(c.result),
                            "body": [] if c.body is None else list(c.body.daml),
                            "creates": list(c.creates),
                        }
                        for c in t.choices
                    ],
                }
                for t in self.templates
            ],
        }
