"""Step 3 over real HTTP: the federated search, paged to the end, mapped to our suppliers; and its
faults: 500 then 200, 500 for ever, malformed JSON, the wrong shape, timeouts, refused connections."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from federation.errors import FederationUnavailable, MalformedResponse, UnexpectedResponse
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.search import FederatedSearchClient, SearchQuery
from federation.service.serve import RunningService
from federation.settings import FederationSettings
from ontology.process import ProcessKind, QualityLevel
from tests.federation.conftest import Control


@pytest.fixture
def base_url(service: RunningService) -> str:
    return f"{service.url}/apis/search"


@pytest.fixture
async def search(settings: FederationSettings) -> AsyncIterator[FederatedSearchClient]:
    async with make_http_client(settings) as http:
        yield FederatedSearchClient(settings, http, IdentityClient(settings, http).auth())


async def test_paging_through_all_results(
    search: FederatedSearchClient, base_url: str, service: RunningService, control: Control
) -> None:
    query = SearchQuery(process=ProcessKind.CNC_MILLING)
    result = await search.search(base_url, query)
    expected = {
        r.id
        for r in service.state.dataset.suppliers
        if any(c.process == "cnc-milling" for c in r.capabilities)
    }
    assert result.total == len(expected) > 25
    assert {found.supplier.id for found in result.suppliers} == expected
    assert result.pages == -(-len(expected) // 25) == control.counters()["search"]
    assert result.skipped == []
    found = result.suppliers[0]
    assert found.supplier.capability(ProcessKind.CNC_MILLING) is not None
    assert found.prices[ProcessKind.CNC_MILLING].hourly_rate > 0
    assert found.currency == "EUR"


async def test_max_results_stops_paging(
    search: FederatedSearchClient, base_url: str, control: Control
) -> None:
    result = await search.search(base_url, SearchQuery(), max_results=30)
    assert len(result.suppliers) == 30 and result.total >= 300
    assert control.counters()["search"] == 2


async def test_filters_hold_on_every_result(search: FederatedSearchClient, base_url: str) -> None:
    query = SearchQuery(
        process=ProcessKind.CNC_MILLING,
        material="Titanium",
        quality=QualityLevel.PREMIUM,
        certifications=("ISO 9001",),
        min_rating=3.5,
    )
    result = await search.search(base_url, query)
    assert result.suppliers
    for found in result.suppliers:
        supplier = found.supplier
        capability = supplier.capability(ProcessKind.CNC_MILLING)
        assert capability is not None and "titanium" in capability.materials
        assert capability.max_quality is QualityLevel.PREMIUM
        assert "ISO 9001" in supplier.certifications
        assert supplier.rating is not None and supplier.rating >= 3.5


async def test_a_search_returning_nothing(search: FederatedSearchClient, base_url: str) -> None:
    result = await search.search(base_url, SearchQuery(process=ProcessKind.FORGING, material="unobtainium"))
    assert (result.total, result.suppliers, result.pages) == (0, [], 1)


async def test_select_with_solr_parameters(search: FederatedSearchClient, base_url: str) -> None:
    page = await search.select(
        base_url, q="*:*", fq=["country:(DE OR AT)", "rating:[4.5 TO *]"], rows=5, sort="rating desc"
    )
    ratings = [doc["rating"] for doc in page.documents]
    assert ratings == sorted(ratings, reverse=True) and all(r >= 4.5 for r in ratings)
    assert all(doc["location"]["country"] in ("DE", "AT") for doc in page.documents)
    text = await search.select(base_url, q='"laser" -process:welding', rows=1000)
    assert text.total == len(text.documents) > 0


async def test_a_query_the_service_rejects(search: FederatedSearchClient, base_url: str) -> None:
    with pytest.raises(UnexpectedResponse, match="unknown field"):
        await search.select(base_url, fq=["colour:red"])


async def test_a_500_then_200_is_retried(
    search: FederatedSearchClient, base_url: str, control: Control
) -> None:
    control.fault("search", count=1, status=500)
    result = await search.search(base_url, SearchQuery(process=ProcessKind.PCB_ASSEMBLY))
    assert result.suppliers
    assert control.counters()["search:fault"] == 1
    assert control.counters()["search"] == result.pages + 1


async def test_a_server_that_keeps_failing(
    search: FederatedSearchClient, base_url: str, control: Control
) -> None:
    control.fault("search", count=10, status=503)
    with pytest.raises(FederationUnavailable, match=r"3 tries: HTTP 503") as caught:
        await search.search(base_url, SearchQuery())
    assert caught.value.reason == "efpf-unreachable"
    assert control.counters()["search"] == 3  # 1 try + 2 retries


async def test_malformed_json(search: FederatedSearchClient, base_url: str, control: Control) -> None:
    control.fault("search", mode="malformed")
    with pytest.raises(MalformedResponse, match="not JSON") as caught:
        await search.search(base_url, SearchQuery())
    assert caught.value.reason == "efpf-malformed-response"
    assert control.counters()["search"] == 1  # not retried


async def test_json_of_the_wrong_shape(
    search: FederatedSearchClient, base_url: str, control: Control
) -> None:
    control.fault("search", mode="wrong-shape")
    with pytest.raises(MalformedResponse, match="totalElements"):
        await search.search(base_url, SearchQuery())


async def test_a_timeout_is_retried_then_unavailable(
    settings: FederationSettings, base_url: str, control: Control
) -> None:
    impatient = settings.model_copy(update={"timeout_seconds": 0.3, "retries": 1})
    async with make_http_client(impatient) as http:
        client = FederatedSearchClient(impatient, http, IdentityClient(impatient, http).auth())
        control.fault("search", mode="delay", delay=1.0, count=1)
        assert (await client.select(base_url)).total > 0  # the retry is answered at once
        control.fault("search", mode="delay", delay=1.0, count=2)
        with pytest.raises(FederationUnavailable, match="ReadTimeout"):
            await client.select(base_url)


async def test_a_refused_connection(search: FederatedSearchClient) -> None:
    from common.net import bind

    with bind("127.0.0.1", 0) as sock:  # bound, not listening: connections are refused
        port = sock.getsockname()[1]
        with pytest.raises(FederationUnavailable, match="ConnectError"):
            await search.select(f"http://127.0.0.1:{port}/apis/search")


async def test_documents_that_do_not_map_are_skipped(settings: FederationSettings, base_url: str) -> None:
    """A field mapping for another document shape: every document fails to map, and is reported."""
    mapping = settings.search_mapping.model_copy(
        update={"supplier": settings.search_mapping.supplier.model_copy(update={"name": "legalName"})}
    )
    other = settings.model_copy(update={"search_mapping": mapping})
    async with make_http_client(other) as http:
        client = FederatedSearchClient(other, http, IdentityClient(other, http).auth())
        result = await client.search(base_url, SearchQuery(process=ProcessKind.FORGING))
    assert result.total > 0 and result.suppliers == []
    assert len(result.skipped) == result.total
    assert "name missing (path 'legalName')" in result.skipped[0]


def test_query_to_solr_quotes_values(settings: FederationSettings) -> None:
    query = SearchQuery(
        process=ProcessKind.SHEET_METAL_BENDING,
        material='12" steel',
        country="DE",
        certifications=("ISO 9001", "EN 1090"),
        min_rating=4,
        text="precision parts",
    )
    q, fq = query.to_solr(settings.search_mapping)
    assert q == '"precision" AND "parts"'
    assert fq == [
        'process:"sheet-metal-bending"',
        'material:"12\\" steel"',
        'country:"DE"',
        'certification:"ISO 9001"',
        'certification:"EN 1090"',
        "rating:[4 TO *]",
    ]
