"""The local federated search's query language: a small, documented subset of Solr's.

A query is a list of clauses, all of which must hold (``q`` and every ``fq`` together)::

    *:*                       everything
    word  "two words"         free text: case-insensitive substring of name, city, country,
                              description, certifications, processes or materials
    field:value               case-insensitive equality (a list field: any element)
    field:"a value"           the same, with spaces
    field:val*                prefix
    field:*                   the field has a value
    field:(a OR b OR c)       any of them
    field:[lo TO hi]          numeric range, inclusive ([ ]) or exclusive ({ }); * is open
    -field:value  NOT f:v     negation
    AND, +                    accepted and ignored (clauses are ANDed anyway)

Supplier fields: id, name, country, city, certification, rating, currency, employees, founded.
Capability fields: process, material, quality, lead_time_days, capacity_hours_per_week,
hourly_rate, setup_cost. All capability clauses (over ``q`` and every ``fq``) must hold on the
*same* capability (like a Solr block join), so ``process:cnc-milling`` + ``material:titanium``
finds suppliers that mill titanium. ``material:x`` also matches a capability listing no materials
(any material); ``quality:standard`` matches capabilities reaching at least that quality. A negated
capability clause means no capability matches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from federation.dataset.schema import CapabilityRecord, SupplierRecord
from ontology.process import QualityLevel


class QueryError(ValueError):
    """A query the service does not understand (HTTP 400)."""


@dataclass(frozen=True)
class Term:
    """One value to match: exact (``prefix`` False), prefix, any (``value`` "*"), or a range."""

    value: str = ""
    prefix: bool = False
    low: float | None = None
    high: float | None = None
    include_low: bool = True
    include_high: bool = True
    is_range: bool = False

    def matches_text(self, candidate: str) -> bool:
        if self.value == "*":
            return True
        text, wanted = candidate.casefold(), self.value.casefold()
        return text.startswith(wanted) if self.prefix else text == wanted

    def matches_number(self, candidate: float) -> bool:
        if not self.is_range:
            if self.value == "*":
                return True
            try:
                return candidate == float(self.value)
            except ValueError:
                return False
        if self.low is not None and (
            candidate < self.low or (candidate == self.low and not self.include_low)
        ):
            return False
        return not (
            self.high is not None
            and (candidate > self.high or (candidate == self.high and not self.include_high))
        )


@dataclass(frozen=True)
class Clause:
    field: str | None  # None: free text
    terms: tuple[Term, ...]
    negate: bool = False


SUPPLIER_TEXT: dict[str, Callable[[SupplierRecord], Iterable[str]]] = {
    "id": lambda s: (s.id,),
    "name": lambda s: (s.name,),
    "country": lambda s: (s.location.country,),
    "city": lambda s: (s.location.city,),
    "certification": lambda s: s.certifications,
    "currency": lambda s: (s.currency,),
}
SUPPLIER_NUMBERS: dict[str, Callable[[SupplierRecord], float | None]] = {
    "rating": lambda s: s.rating,
    "employees": lambda s: s.employees,
    "founded": lambda s: s.founded,
}
CAPABILITY_NUMBERS: dict[str, Callable[[CapabilityRecord], float | Decimal]] = {
    "lead_time_days": lambda c: c.lead_time_days,
    "capacity_hours_per_week": lambda c: c.capacity_hours_per_week,
    "hourly_rate": lambda c: c.price.hourly_rate,
    "setup_cost": lambda c: c.price.setup_cost,
}
CAPABILITY_FIELDS = frozenset({"process", "material", "quality", *CAPABILITY_NUMBERS})
SUPPLIER_FIELDS = frozenset({*SUPPLIER_TEXT, *SUPPLIER_NUMBERS})
SORTABLE = ("id", "name", "country", "city", "rating", "employees", "founded")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<all>\*:\*)
      | (?P<op>AND\b|OR\b|NOT\b|&&|\|\|)
      | (?P<sign>[+-])(?=\S)
      | (?:(?P<field>[A-Za-z_][\w.]*):)?
        (?: (?P<group>\((?:[^()"]|"(?:[^"\\]|\\.)*")*\))
          | (?P<range>[\[{][^\]}]*[\]}])
          | "(?P<quoted>(?:[^"\\]|\\.)*)"
          | (?P<bare>[^\s()"]+)
        )
    )""",
    re.VERBOSE,
)
_GROUP_ITEM = re.compile(r'\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s()"]+))')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _bare_term(text: str) -> Term:
    if text == "*":
        return Term("*")
    if text.endswith("*") and not text.endswith("\\*"):
        return Term(_unescape(text[:-1]), prefix=True)
    return Term(_unescape(text))


def _range_term(text: str) -> Term:
    inner = text[1:-1].split(" TO ")
    if len(inner) != 2:
        raise QueryError(f"range {text!r} is not [low TO high]")

    def bound(value: str) -> float | None:
        value = value.strip()
        if value == "*":
            return None
        try:
            return float(value)
        except ValueError:
            raise QueryError(f"range bound {value!r} is not a number") from None

    return Term(
        low=bound(inner[0]),
        high=bound(inner[1]),
        include_low=text[0] == "[",
        include_high=text[-1] == "]",
        is_range=True,
    )


def _group_terms(text: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    for match in _GROUP_ITEM.finditer(text[1:-1]):
        if match["quoted"] is not None:
            terms.append(Term(_unescape(match["quoted"])))
        elif match["bare"] not in ("OR", "||"):
            terms.append(_bare_term(match["bare"]))
    if not terms:
        raise QueryError(f"empty group {text!r}")
    return tuple(terms)


def parse(query: str) -> list[Clause]:
    """The clauses of one ``q`` or ``fq`` string; :class:`QueryError` if it does not parse."""
    clauses: list[Clause] = []
    position, negate_next = 0, False
    text = query.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot parse the query at {text[position : position + 20]!r}")
        position = match.end()
        if match["all"]:
            continue
        if match["op"]:
            if match["op"] == "NOT":
                negate_next = True
            elif match["op"] in ("OR", "||"):
                raise QueryError("OR between clauses is not supported: use field:(a OR b)")
            continue
        if match["sign"]:
            negate_next = match["sign"] == "-"
            continue
        name = match["field"]
        if name is not None and name not in SUPPLIER_FIELDS | CAPABILITY_FIELDS:
            known = ", ".join(sorted(SUPPLIER_FIELDS | CAPABILITY_FIELDS))
            raise QueryError(f"unknown field {name!r}; known fields: {known}")
        if match["group"]:
            terms = _group_terms(match["group"])
        elif match["range"]:
            if name is None:
                raise QueryError("a range needs a field")
            terms = (_range_term(match["range"]),)
        elif match["quoted"] is not None:
            terms = (Term(_unescape(match["quoted"])),)
        else:
            terms = (_bare_term(match["bare"]),)
        clauses.append(Clause(name, terms, negate_next))
        negate_next = False
    return clauses


@dataclass
class Entry:
    """A searchable supplier: the record, its JSON document, and its free-text blob."""

    record: SupplierRecord
    document: dict[str, Any]
    text: str = field(init=False)
    #: The document serialised once, for the search's responses.
    json: bytes = field(init=False)

    def __post_init__(self) -> None:
        record = self.record
        self.json = json.dumps(self.document, ensure_ascii=False, separators=(",", ":")).encode()
        words = [record.id, record.name, record.location.city, record.location.country, record.description]
        words += record.certifications
        for capability in record.capabilities:
            words.append(capability.process.value)
            words += capability.materials
        self.text = " ".join(words).casefold()


def _capability_clause(clause: Clause, capability: CapabilityRecord) -> bool:
    name = clause.field
    for term in clause.terms:
        if name == "process":
            hit = term.matches_text(capability.process.value)
        elif name == "material":
            hit = not capability.materials or any(term.matches_text(m) for m in capability.materials)
        elif name == "quality":
            try:
                hit = term.value == "*" or capability.max_quality.meets(QualityLevel(term.value.casefold()))
            except ValueError:
                raise QueryError(f"unknown quality {term.value!r}") from None
        else:
            hit = term.matches_number(float(CAPABILITY_NUMBERS[str(name)](capability)))
        if hit:
            return True
    return False


def _supplier_clause(clause: Clause, entry: Entry) -> bool:
    name = clause.field
    if name is None:
        return any(term.value == "*" or term.value.casefold() in entry.text for term in clause.terms)
    if name in SUPPLIER_NUMBERS:
        value = SUPPLIER_NUMBERS[name](entry.record)
        return value is not None and any(term.matches_number(float(value)) for term in clause.terms)
    values = tuple(SUPPLIER_TEXT[name](entry.record))
    return any(term.matches_text(value) for term in clause.terms for value in values)


def matcher(clauses: list[Clause]) -> Callable[[Entry], bool]:
    """A predicate for entries that meet every clause (capability clauses on one capability)."""
    supplier_clauses = [c for c in clauses if c.field not in CAPABILITY_FIELDS]
    joined = [c for c in clauses if c.field in CAPABILITY_FIELDS and not c.negate]
    excluded = [c for c in clauses if c.field in CAPABILITY_FIELDS and c.negate]

    def matches(entry: Entry) -> bool:
        for clause in supplier_clauses:
            if _supplier_clause(clause, entry) == clause.negate:
                return False
        capabilities = entry.record.capabilities
        for clause in excluded:
            if any(_capability_clause(clause, capability) for capability in capabilities):
                return False
        return not joined or any(all(_capability_clause(c, cap) for c in joined) for cap in capabilities)

    return matches


def sort_key(spec: str | None) -> tuple[Callable[[Entry], Any], bool]:
    """A key and the 'reverse' flag for ``sort=field [asc|desc]`` (one field; default: id asc)."""
    if not spec:
        return (lambda entry: entry.record.id), False
    parts = spec.split()
    name = parts[0]
    direction = parts[1].lower() if len(parts) > 1 else "asc"
    if name not in SORTABLE or direction not in ("asc", "desc") or len(parts) > 2:
        raise QueryError(f"cannot sort by {spec!r}; sortable: {', '.join(SORTABLE)} (asc|desc)")

    def key(entry: Entry) -> Any:
        if name in SUPPLIER_NUMBERS:
            value = SUPPLIER_NUMBERS[name](entry.record)
            return (value is not None, value or 0, entry.record.id)
        return (next(iter(SUPPLIER_TEXT[name](entry.record))).casefold(), entry.record.id)

    return key, direction == "desc"
