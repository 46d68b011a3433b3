"""Which templates a stream (or one of its queries) covers.

As in Daml, a template id with a package id (``"pkg:Module:Entity"``, what codegen clients send) means that
package's template only: contracts created under another package holding the same ``Module:Entity`` are
other templates and are not streamed (their archives would be unknown to the client's lookup tables). A
template id without a package id (``"Module:Entity"``) covers that template in every package that has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.engine import EmbeddedLedger, LedgerError, TemplateDef, TemplateId
from ledger.jsonapi.streams.requests import TemplateRef, template_id, template_text


@dataclass
class TemplateSet:
    exact: set[str] = field(default_factory=set)
    """``pkg:Module:Entity`` of templates asked for with their package id."""
    loose: set[str] = field(default_factory=set)
    """``Module:Entity`` of templates asked for without a package id."""
    definitions: dict[str, TemplateDef] = field(default_factory=dict)
    """The definitions of the templates, by ``Module:Entity``."""

    def __contains__(self, template: TemplateId) -> bool:
        return template.qualified_name in self.loose or str(template) in self.exact

    def __bool__(self) -> bool:
        return bool(self.definitions)

    @property
    def qualified_names(self) -> set[str]:
        return set(self.definitions)

    def add(self, requested: TemplateId, resolved: TemplateId, tdef: TemplateDef) -> None:
        if requested.package_id:
            self.exact.add(str(resolved))
        else:
            self.loose.add(resolved.qualified_name)
        self.definitions[tdef.qualified_name] = tdef

    def update(self, other: TemplateSet) -> None:
        self.exact |= other.exact
        self.loose |= other.loose
        self.definitions.update(other.definitions)

    def everything(self, ledger: EmbeddedLedger) -> None:
        for tdef in ledger.model.templates:
            self.loose.add(tdef.qualified_name)
            self.definitions[tdef.qualified_name] = tdef


def resolve(ledger: EmbeddedLedger, refs: list[TemplateRef], unresolved: list[str]) -> TemplateSet:
    """The templates ``refs`` name; those that do not resolve are appended to ``unresolved``."""
    found = TemplateSet()
    for ref in refs:
        requested = template_id(ref)
        try:
            resolved, tdef = ledger.resolve_template(requested)
        except LedgerError:
            if template_text(ref) not in unresolved:
                unresolved.append(template_text(ref))
            continue
        found.add(requested, resolved, tdef)
    return found


def one(ledger: EmbeddedLedger, ref: Any, unresolved: list[str]) -> TemplateSet:
    return resolve(ledger, [ref], unresolved)
