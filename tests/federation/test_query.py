"""The local search's query language (no network), and that the service's filtering agrees with
the client's own check of every result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.dataset import load_shipped
from federation.mapping import SearchMapping, map_document
from federation.search import SearchQuery
from federation.service.query import Entry, QueryError, matcher, parse, sort_key
from ontology.process import ProcessKind, QualityLevel

ENTRIES = [Entry(record, record.model_dump(mode="json")) for record in load_shipped().suppliers]
FOUND = {entry.record.id: map_document(entry.document, SearchMapping()) for entry in ENTRIES}
MATERIALS = sorted({m for e in ENTRIES for c in e.record.capabilities for m in c.materials})
COUNTRIES = sorted({e.record.location.country for e in ENTRIES})
CERTIFICATIONS = sorted({c for e in ENTRIES for c in e.record.certifications})


def ids(*queries: str) -> set[str]:
    clauses = [clause for query in queries for clause in parse(query)]
    matches = matcher(clauses)
    return {entry.record.id for entry in ENTRIES if matches(entry)}


def test_match_all_and_free_text() -> None:
    assert len(ids("*:*")) == len(ids("")) == len(ENTRIES)
    laser = ids("laser")
    assert laser and all("laser" in e.text for e in ENTRIES if e.record.id in laser)


def test_capability_clauses_hold_on_one_capability() -> None:
    """'mills titanium', not 'mills something and works titanium in another process'."""
    joined = ids("process:cnc-milling", "material:titanium")
    for entry in ENTRIES:
        mills_titanium = any(
            c.process == ProcessKind.CNC_MILLING and "titanium" in c.materials
            for c in entry.record.capabilities
        )
        assert (entry.record.id in joined) == mills_titanium
    separately = ids("process:cnc-milling") & {
        e.record.id for e in ENTRIES if any("titanium" in c.materials for c in e.record.capabilities)
    }
    assert joined < separately


def test_groups_ranges_prefixes_negation() -> None:
    assert ids("country:(DE OR AT)") == ids("country:DE") | ids("country:AT")
    assert ids("rating:[4 TO *]") == {
        e.record.id for e in ENTRIES if e.record.rating is not None and e.record.rating >= 4
    }
    assert ids("rating:{4 TO *]") == {
        e.record.id for e in ENTRIES if e.record.rating is not None and e.record.rating > 4
    }
    assert ids("process:cnc-*") == ids("process:cnc-milling") | ids("process:cnc-turning")
    assert ids("-country:DE") == ids("*:*") - ids("country:DE") == ids("NOT country:DE")
    assert ids("-process:welding") == ids("*:*") - ids("process:welding")
    assert ids('certification:"ISO 9001"') == ids('+certification:"iso 9001"')
    assert ids("rating:*") == {e.record.id for e in ENTRIES if e.record.rating is not None}


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("colour:red", "unknown field"),
        ("rating:[x TO 3]", "not a number"),
        ("rating:[1 3]", "TO"),
        ("country:DE OR country:AT", "OR between clauses"),
        ("process:(", "cannot parse"),
        ("quality:superb", "unknown quality"),
    ],
)
def test_bad_queries(query: str, problem: str) -> None:
    with pytest.raises(QueryError, match=problem):
        ids(query)


def test_sorting() -> None:
    key, reverse = sort_key("rating desc")
    ordered = sorted(ENTRIES, key=key, reverse=reverse)
    ratings = [e.record.rating for e in ordered if e.record.rating is not None]
    assert ratings == sorted(ratings, reverse=True)
    assert ordered[-1].record.rating is None
    with pytest.raises(QueryError):
        sort_key("hourly_rate desc")


queries = st.builds(
    SearchQuery,
    process=st.none() | st.sampled_from(ProcessKind),
    material=st.none() | st.sampled_from(MATERIALS),
    quality=st.none() | st.sampled_from(QualityLevel),
    country=st.none() | st.sampled_from(COUNTRIES),
    certifications=st.lists(st.sampled_from(CERTIFICATIONS), max_size=2, unique=True).map(tuple),
    min_rating=st.none() | st.sampled_from([2.5, 3.0, 4.0, 4.5]),
)


@settings(max_examples=60, deadline=None)
@given(queries)
def test_the_service_filters_exactly_as_the_client_checks(query: SearchQuery) -> None:
    q, fq = query.to_solr(SearchMapping())
    served = ids(q, *fq)
    expected = {ident for ident, found in FOUND.items() if query.matches(found)}
    assert served == expected
