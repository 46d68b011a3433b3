"""What a stream selects: the compiled form of a query-stream or fetch-stream request.

A plan answers three questions the stream loop asks:

* which contracts of the initial active contract set (ACS) to send (:meth:`StreamPlan.acs_event`), and
  whether an ACS is wanted at all (not when every query resumes from an offset);
* from which offset the live part starts (:meth:`StreamPlan.live_start`);
* which events of a transaction to send (:meth:`StreamPlan.tx_events`): archives first, then creates, as
  Daml renders a step.

Query streams use the JSON API's query language (:mod:`ledger.jsonapi.query`, shared with ``/v1/query``);
each created event carries ``matchedQueries``, the 0-based indices of the queries it matched. Archives of the
requested templates are all sent ("phantom archives", as Daml documents). Fetch streams match contract keys
(:mod:`ledger.engine.keys`) and send only archives of contracts they sent a create for, unless resumed
without a ``contractIdAtOffset`` for every key (then phantom archives too, as in Daml).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.engine import (
    ArchivedEvent,
    Contract,
    CreatedEvent,
    EmbeddedLedger,
    LedgerError,
    Model,
    TemplateDef,
    TemplateId,
    Transaction,
)
from ledger.engine.keys import key_of, normalize_key
from ledger.jsonapi import codec
from ledger.jsonapi.query import contract_filter
from ledger.jsonapi.streams.frames import JsonDict, StreamError
from ledger.jsonapi.streams.requests import FetchSpec, QuerySpec, wire_offset
from ledger.jsonapi.streams.templates import TemplateSet, one, resolve

#: Daml's wording when no template id of a query resolves.
NO_TEMPLATE = "Cannot resolve any template ID from request"


@dataclass
class StreamPlan(ABC):
    """Base of the two plans: the templates covered, event rendering, the ACS/live split."""

    ledger: EmbeddedLedger
    unresolved: list[str] = field(default_factory=list)
    templates: TemplateSet = field(default_factory=TemplateSet)

    @property
    def model(self) -> Model:
        return self.ledger.model

    @property
    def template_ids(self) -> list[TemplateId]:
        """What to ask the engine's active contract set for (matched by ``Module:Entity``)."""
        names = self.templates.qualified_names
        return [tid for tid in self.ledger.template_ids() if tid.qualified_name in names]

    @property
    @abstractmethod
    def acs_needed(self) -> bool:
        """Whether the stream starts with the active contract set."""

    @abstractmethod
    def live_start(self, acs_end: int | None) -> int:
        """The offset after which live transactions are read (``acs_end``: the ACS's offset, if sent)."""

    @abstractmethod
    def acs_event(self, contract: Contract) -> JsonDict | None:
        """The created event of an ACS contract the stream selects, else None."""

    @abstractmethod
    def _created(self, event: CreatedEvent, offset: int) -> JsonDict | None:
        """The rendered created event, if the stream selects it."""

    @abstractmethod
    def _archived(self, event: ArchivedEvent) -> bool:
        """Whether the stream sends this archive."""

    def _tdef(self, template: TemplateId) -> TemplateDef:
        return self.model.template(template.module_name, template.entity_name)

    def tx_events(self, tx: Transaction, parties: frozenset[str] | None) -> list[JsonDict]:
        archived: list[JsonDict] = []
        created: list[JsonDict] = []
        for event in tx.flat_events(parties):
            if event.template_id not in self.templates:
                continue
            if isinstance(event, ArchivedEvent):
                if self._archived(event):
                    archived.append(codec.event(event, self.model))
            else:
                rendered = self._created(event, tx.offset)
                if rendered is not None:
                    created.append(rendered)
        return archived + created


@dataclass
class _Query:
    position: int
    templates: TemplateSet
    matches: Callable[[str, Any], bool]
    offset: int | None

    def selects(self, template: TemplateId, payload: JsonDict, offset: int | None) -> bool:
        """Whether the contract matches (``offset``: of its create; None for the ACS, which only queries
        without an offset get)."""
        if offset is None:
            if self.offset is not None:
                return False
        elif self.offset is not None and offset <= self.offset:
            return False
        return template in self.templates and self.matches(template.qualified_name, payload)


@dataclass
class QueryPlan(StreamPlan):
    queries: list[_Query] = field(default_factory=list)

    @classmethod
    def build(cls, ledger: EmbeddedLedger, specs: list[QuerySpec], prefix: int | None) -> QueryPlan:
        plan = cls(ledger)
        for position, spec in enumerate(specs):
            templates = resolve(ledger, spec.template_ids, plan.unresolved)
            if not templates:
                raise StreamError(400, NO_TEMPLATE)
            try:
                matches = contract_filter(list(templates.definitions.values()), spec.query, ledger.model)
            except LedgerError as exc:
                raise StreamError(exc.http_status, str(exc)) from None
            offset = wire_offset(spec.offset) if spec.offset is not None else prefix
            plan.queries.append(_Query(position, templates, matches, offset))
            plan.templates.update(templates)
        return plan

    @property
    def acs_needed(self) -> bool:
        return any(q.offset is None for q in self.queries)

    def live_start(self, acs_end: int | None) -> int:
        for q in self.queries:
            if q.offset is None:
                q.offset = acs_end or 0
        return min(q.offset or 0 for q in self.queries)

    def _render(
        self, contract: JsonDict, template: TemplateId, payload: JsonDict, offset: int | None
    ) -> JsonDict | None:
        matched = [q.position for q in self.queries if q.selects(template, payload, offset)]
        return {"created": contract, "matchedQueries": matched} if matched else None

    def acs_event(self, contract: Contract) -> JsonDict | None:
        rendered = codec.active_contract(contract, self.model)
        return self._render(rendered, contract.template_id, contract.payload, None)

    def _created(self, event: CreatedEvent, offset: int) -> JsonDict | None:
        rendered = codec.created_contract(event, self.model)
        return self._render(rendered, event.template_id, event.payload, offset)

    def _archived(self, event: ArchivedEvent) -> bool:
        return True


@dataclass
class _Wanted:
    templates: TemplateSet
    key: JsonDict | None = None
    contract_id: str | None = None


@dataclass
class FetchPlan(StreamPlan):
    wanted: list[_Wanted] = field(default_factory=list)
    prefix: int | None = None
    """The offset the stream resumes after (no ACS then)."""
    sent: set[str] | None = field(default_factory=set)
    """Contract ids whose archive the client gets (None: every archive of the templates, Daml's "phantom
    archives" when resumed without every ``contractIdAtOffset``)."""

    @classmethod
    def build(cls, ledger: EmbeddedLedger, specs: list[FetchSpec], prefix: int | None) -> FetchPlan:
        plan = cls(ledger, prefix=prefix)
        for spec in specs:
            templates = TemplateSet()
            if spec.template_id is None:  # extension: a contract id alone, of any template
                templates.everything(ledger)
            else:
                templates = one(ledger, spec.template_id, plan.unresolved)
                if not templates:
                    continue
            key = None
            if spec.by_key:
                (tdef,) = templates.definitions.values()
                key = _normalized_key(tdef, spec.key, ledger)
            plan.wanted.append(_Wanted(templates, key=key, contract_id=spec.contract_id))
            plan.templates.update(templates)
        if not plan.templates:
            raise StreamError(400, NO_TEMPLATE)
        if prefix is not None:
            if all(s.gives_contract_id_at_offset for s in specs if s.by_key):
                plan.sent = {s.contract_id_at_offset for s in specs if s.contract_id_at_offset}
            else:
                plan.sent = None
        return plan

    @property
    def acs_needed(self) -> bool:
        return self.prefix is None

    def live_start(self, acs_end: int | None) -> int:
        return self.prefix if self.prefix is not None else acs_end or 0

    def _wants(self, template: TemplateId, contract_id: str, payload: JsonDict) -> bool:
        key: JsonDict | None = None
        for w in self.wanted:
            if template not in w.templates:
                continue
            if w.key is None:  # by contract id (or an ill-typed key, which matches nothing)
                if w.contract_id is not None and w.contract_id == contract_id:
                    return True
                continue
            if key is None:
                key = key_of(self._tdef(template), payload)
            if key == w.key:
                return True
        return False

    def _render(self, contract: JsonDict) -> JsonDict:
        if self.sent is not None:
            self.sent.add(contract["contractId"])
        return {"created": contract}

    def acs_event(self, contract: Contract) -> JsonDict | None:
        if not self._wants(contract.template_id, contract.contract_id, contract.payload):
            return None
        return self._render(codec.active_contract(contract, self.model))

    def _created(self, event: CreatedEvent, offset: int) -> JsonDict | None:
        if not self._wants(event.template_id, event.contract_id, event.payload):
            return None
        return self._render(codec.created_contract(event, self.model))

    def _archived(self, event: ArchivedEvent) -> bool:
        if self.sent is None:
            return True
        if event.contract_id in self.sent:
            self.sent.discard(event.contract_id)
            return True
        return False


def _normalized_key(tdef: TemplateDef, key: Any, ledger: EmbeddedLedger) -> JsonDict | None:
    """The requested key in engine form; None (matches nothing, as in Daml) if the template has no key or the
    value does not fit the key's type."""
    if tdef.key is None:
        return None
    try:
        return normalize_key(tdef, key, ledger.model)
    except (LedgerError, KeyError):
        return None
