"""Step 3 of the EFPF flow: the federated search (Solr-like ``select`` with ``q``, ``fq``, ``start``,
``rows``; NIMBLE-style answers ``{totalElements, totalPages, pageSize, currentPage, result, facets}``),
paged through to the end and mapped to our supplier model (:mod:`federation.mapping`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from federation.errors import MalformedResponse
from federation.http import RetryPolicy, check_status, json_body, send
from federation.mapping import FoundSupplier, MappingError, SearchMapping, lookup, map_document
from federation.settings import FederationSettings
from ontology.process import ProcessKind, QualityLevel
from ontology.values import CountryCode, Name

log = logging.getLogger(__name__)

MATCH_ALL = "*:*"


def quote_term(value: str) -> str:
    """A Solr phrase: ``"value"`` with ``\\`` and ``"`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SearchQuery(BaseModel):
    """What to look for; every given criterion must hold (capability criteria on one capability)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    process: ProcessKind | None = None
    material: Name | None = None
    quality: QualityLevel | None = Field(default=None, description="capability reaching this quality")
    country: CountryCode | None = None
    certifications: tuple[Name, ...] = ()
    min_rating: float | None = Field(default=None, ge=0, le=5, allow_inf_nan=False)
    text: str | None = Field(default=None, max_length=500, description="free text, all words must match")

    def to_solr(self, mapping: SearchMapping) -> tuple[str, list[str]]:
        """``q`` and the ``fq`` filters for a search service described by ``mapping``."""
        fields = mapping.query
        filters: list[str] = []

        def add(name: str | None, value: str) -> None:
            if name is None:
                log.debug("search field for %s is not configured: filtering on the client only", value)
                return
            filters.append(f"{name}:{value}")

        if self.process is not None:
            add(fields.process, quote_term(mapping.process_value(self.process)))
        if self.material is not None:
            add(fields.material, quote_term(self.material))
        if self.quality is not None:
            add(fields.quality, quote_term(self.quality.value))
        if self.country is not None:
            add(fields.country, quote_term(self.country))
        for certification in self.certifications:
            add(fields.certification, quote_term(certification))
        if self.min_rating is not None:
            add(fields.rating, f"[{self.min_rating:g} TO *]")
        words = (self.text or "").split()
        q = " AND ".join(quote_term(word) for word in words) if words else MATCH_ALL
        return q, filters

    def matches(self, found: FoundSupplier) -> bool:
        """Whether a mapped supplier meets every criterion (the server's filtering is not trusted)."""
        supplier = found.supplier
        if self.country is not None and supplier.location.country != self.country:
            return False
        if not supplier.has_certifications(self.certifications):
            return False
        if self.min_rating is not None and (supplier.rating is None or supplier.rating < self.min_rating):
            return False
        if self.process is None:
            if self.material is None and self.quality is None:
                return True
            return any(self._capability_ok(c.materials, c.max_quality) for c in supplier.capabilities)
        capability = supplier.capability(self.process)
        return capability is not None and self._capability_ok(capability.materials, capability.max_quality)

    def _capability_ok(self, materials: tuple[str, ...], max_quality: QualityLevel) -> bool:
        if self.quality is not None and not max_quality.meets(self.quality):
            return False
        if self.material is None or not materials:
            return True
        return self.material.casefold() in {material.casefold() for material in materials}


@dataclass
class SearchPage:
    """One answer of the select endpoint: the total hit count and this page's raw documents."""

    total: int
    documents: list[Any]
    start: int


@dataclass
class SearchResult:
    """All suppliers found (mapped, de-duplicated, meeting the query) and what was left out and why."""

    total: int
    suppliers: list[FoundSupplier] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pages: int = 0


class FederatedSearchClient:
    """Queries the federated search service found in the registry."""

    def __init__(self, settings: FederationSettings, http: httpx.AsyncClient, auth: httpx.Auth) -> None:
        self._settings = settings
        self._http = http
        self._auth = auth
        self._policy = RetryPolicy.from_settings(settings)
        self.mapping = settings.search_mapping

    async def select(
        self,
        base_url: str,
        *,
        q: str = MATCH_ALL,
        fq: list[str] | tuple[str, ...] = (),
        start: int = 0,
        rows: int | None = None,
        sort: str | None = None,
    ) -> SearchPage:
        """One ``GET <base>/<search_path>?q=&fq=...&start=&rows=`` call."""
        rows = rows if rows is not None else self._settings.search_page_size
        params: list[tuple[str, str | int]] = [
            ("q", q),
            *(("fq", f) for f in fq),
            ("start", start),
            ("rows", rows),
        ]
        if sort:
            params.append(("sort", sort))
        url = base_url.rstrip("/") + "/" + self._settings.search_path.lstrip("/")
        what = f"federated search (start {start})"
        response = await send(
            self._http, "GET", url, params=params, auth=self._auth, policy=self._policy, what=what
        )
        check_status(response, what)
        return self._page(json_body(response, what), start, what)

    async def search(
        self, base_url: str, query: SearchQuery, *, max_results: int | None = None
    ) -> SearchResult:
        """Every supplier matching ``query``, paging until the total is reached (or ``max_results``)."""
        limit = max_results if max_results is not None else self._settings.search_max_results
        q, fq = query.to_solr(self.mapping)
        result = SearchResult(total=0)
        seen: set[str] = set()
        start = 0
        while start < limit:
            page = await self.select(base_url, q=q, fq=fq, start=start, rows=self._settings.search_page_size)
            result.pages += 1
            result.total = page.total
            for document in page.documents:
                self._collect(document, query, result, seen)
            start += len(page.documents)
            if not page.documents or start >= page.total:
                break
        del result.suppliers[limit:]
        return result

    def _collect(self, document: Any, query: SearchQuery, result: SearchResult, seen: set[str]) -> None:
        try:
            found = map_document(document, self.mapping)
        except MappingError as exc:
            ident = document.get("id") if isinstance(document, dict) else None
            result.skipped.append(f"{ident or '?'}: {exc}")
            log.warning("federated search: skipped result %s: %s", ident or "?", exc)
            return
        if found.supplier.id in seen:
            return
        seen.add(found.supplier.id)
        if query.matches(found):
            result.suppliers.append(found)
        else:
            result.skipped.append(f"{found.supplier.id}: does not meet the query")

    def _page(self, body: Any, start: int, what: str) -> SearchPage:
        mapping = self.mapping
        try:
            total = lookup(body, mapping.total)
            documents = lookup(body, mapping.results)
        except KeyError as exc:
            raise MalformedResponse(f"{what}: the response has no {exc.args[0]!r}") from None
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise MalformedResponse(f"{what}: {mapping.total!r} is not a count: {total!r}")
        if not isinstance(documents, list):
            raise MalformedResponse(f"{what}: {mapping.results!r} is not a list")
        return SearchPage(total=total, documents=documents, start=start)
