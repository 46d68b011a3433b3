"""The matchmaking client: the paper's three steps, from a :class:`FindSuppliers` request to
:class:`SupplierCandidates`.

1. an access token from the identity provider (cached, renewed; :mod:`federation.identity`);
2. the service registry, with that token as Bearer, for the federated search's base URL
   (cached for ``registry_cache_seconds``; :mod:`federation.registry`);
3. the federated search, once per distinct (process, material, quality) the parts need, paged to
   the end (:mod:`federation.search`).

Candidates per part are the suppliers able to make it (:meth:`Supplier.can_supply`), holding the
requested certifications and rating, cheapest indicative price first, then best rated, then shortest
lead time; at most ``max_per_part`` of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from types import TracebackType
from typing import Self

import httpx

from federation.errors import FederationUnavailable, NotFound
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.mapping import FoundSupplier
from federation.registry import RegistryClient
from federation.search import FederatedSearchClient, SearchQuery, SearchResult
from federation.settings import FederationSettings, get_federation_settings
from ontology.matchmaking import FindSuppliers, PartCandidates, SupplierCandidates
from ontology.product import RequiredPart

log = logging.getLogger(__name__)


class EfpfMatchmaker:
    """Owns one HTTP client and the three EFPF clients; use ``async with`` (or call :meth:`aclose`)."""

    def __init__(
        self,
        settings: FederationSettings | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or get_federation_settings()
        self._own_http = http is None
        self.http = http or make_http_client(self.settings)
        self._clock = clock
        self.identity = IdentityClient(self.settings, self.http, clock=clock)
        auth = self.identity.auth()
        self.registry = RegistryClient(self.settings, self.http, auth)
        self.search_client = FederatedSearchClient(self.settings, self.http, auth)
        self._search_url: str | None = None
        self._search_url_found_at = 0.0
        self._lookup_lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def search_base_url(self, *, refresh: bool = False) -> str:
        """Steps 1 and 2: the federated search's base URL from the registry (cached)."""
        async with self._lookup_lock:
            age = self._clock() - self._search_url_found_at
            if refresh or self._search_url is None or age >= self.settings.registry_cache_seconds:
                await self.identity.token()
                self._search_url = await self.registry.search_base_url()
                self._search_url_found_at = self._clock()
            return self._search_url

    async def search(self, query: SearchQuery, *, max_results: int | None = None) -> SearchResult:
        """Steps 1 to 3 for one query. If the search fails at a cached URL, look it up again once."""
        cached = self._search_url is not None
        base_url = await self.search_base_url()
        try:
            return await self.search_client.search(base_url, query, max_results=max_results)
        except (FederationUnavailable, NotFound) as exc:
            if not cached:
                raise
            fresh = await self.search_base_url(refresh=True)
            if fresh == base_url:
                raise
            log.info("federated search moved from %s to %s (%s)", base_url, fresh, exc.message)
            return await self.search_client.search(fresh, query, max_results=max_results)

    async def candidates(self, request: FindSuppliers) -> dict[str, list[FoundSupplier]]:
        """Ranked candidates per part id, with their price models (at most ``max_per_part`` each)."""
        queries = {part.part_id: _query(part, request) for part in request.parts}
        distinct = list(dict.fromkeys(queries.values()))
        await self.search_base_url()  # steps 1 and 2 once, before the searches run side by side
        outcomes = await asyncio.gather(*(self.search(query) for query in distinct), return_exceptions=True)
        for outcome in outcomes:  # every search has finished: none is left running
            if isinstance(outcome, BaseException):
                raise outcome
        by_query = {
            query: r for query, r in zip(distinct, outcomes, strict=True) if isinstance(r, SearchResult)
        }
        ranked: dict[str, list[FoundSupplier]] = {}
        for part in request.parts:
            able = [f for f in by_query[queries[part.part_id]].suppliers if f.supplier.can_supply(part)]
            able.sort(key=lambda found: _rank(found, part))
            ranked[part.part_id] = able[: request.max_per_part]
        return ranked

    async def find_suppliers(self, request: FindSuppliers) -> SupplierCandidates:
        """The matchmaker's answer: candidate suppliers per part (an empty list where none was found)."""
        ranked = await self.candidates(request)
        return SupplierCandidates(
            order_id=request.order_id,
            candidates=tuple(
                PartCandidates(part_id=part_id, suppliers=tuple(found.supplier for found in suppliers))
                for part_id, suppliers in ranked.items()
            ),
        )


async def find_suppliers(
    request: FindSuppliers, settings: FederationSettings | None = None
) -> SupplierCandidates:
    """The three steps with a fresh client (a long-lived :class:`EfpfMatchmaker` caches the token)."""
    async with EfpfMatchmaker(settings) as matchmaker:
        return await matchmaker.find_suppliers(request)


def _query(part: RequiredPart, request: FindSuppliers) -> SearchQuery:
    return SearchQuery(
        process=part.process,
        material=part.material,
        quality=part.quality,
        certifications=request.certifications,
        min_rating=request.min_rating,
    )


def _rank(found: FoundSupplier, part: RequiredPart) -> tuple[bool, Decimal, float, int, str]:
    price = found.estimate(part)
    capability = found.supplier.capability(part.process)
    lead_time = capability.lead_time_days if capability is not None else 10_000
    return (
        price is None,
        price if price is not None else Decimal(0),
        -(found.supplier.rating or 0.0),
        lead_time,
        found.supplier.id,
    )
