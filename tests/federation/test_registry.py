"""Step 2 over real HTTP: the LinkSmart Service Catalog v3 registry, its paging and filter form,
admin-only changes, and finding the federated search service in it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from federation.errors import AccessDenied, MalformedResponse, NotFound, SearchServiceNotFound
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.matchmaking import EfpfMatchmaker
from federation.registry import Api, FilterOp, RegistryClient, Service
from federation.service.serve import RunningService
from federation.settings import ADMIN_PASSWORD, ADMIN_USER, SEARCH_SERVICE_TYPE, FederationSettings
from tests.federation.conftest import Control


def _as_admin(settings: FederationSettings) -> FederationSettings:
    return settings.model_copy(update={"username": ADMIN_USER, "password": SecretStr(ADMIN_PASSWORD)})


@pytest.fixture
async def admin(settings: FederationSettings) -> AsyncIterator[RegistryClient]:
    admin_settings = _as_admin(settings)
    async with make_http_client(admin_settings) as http:
        yield RegistryClient(admin_settings, http, IdentityClient(admin_settings, http).auth())


@pytest.fixture
async def registry(settings: FederationSettings) -> AsyncIterator[RegistryClient]:
    async with make_http_client(settings) as http:
        yield RegistryClient(settings, http, IdentityClient(settings, http).auth())


def _service(number: int) -> Service:
    return Service(
        id=f"test-service-{number:02d}",
        type="test-service",
        title=f"Test service {number}",
        apis=(Api(id=f"t{number}", protocol="HTTP", url=f"http://127.0.0.1:9/{number}"),),
    )


async def test_the_registry_lists_service_descriptions_with_the_search_service(
    registry: RegistryClient, service: RunningService
) -> None:
    page = await registry.page()
    assert page.page == 1 and page.total == len(page.services) >= 2
    search = next(s for s in page.services if s.type == SEARCH_SERVICE_TYPE)
    assert search.apis[0].url == f"{service.url}/apis/search"
    assert search.created_at is not None
    assert await registry.search_base_url() == f"{service.url}/apis/search"


async def test_paging_collects_every_service(admin: RegistryClient, registry: RegistryClient) -> None:
    for number in range(23):
        await admin.put(_service(number))
    first = await registry.page(page=1, per_page=5)
    everything = await registry.services(per_page=5)
    assert first.total == len(everything) >= 23
    assert len({s.id for s in everything}) == len(everything)
    assert len(first.services) == 5
    last = await registry.page(page=(first.total + 4) // 5, per_page=5)
    assert 1 <= len(last.services) <= 5


async def test_the_filter_form(admin: RegistryClient, registry: RegistryClient) -> None:
    for number in range(12):
        await admin.put(_service(number))
    assert len(await registry.filter("type", FilterOp.EQUALS, "test-service", per_page=5)) == 12
    assert [s.id for s in await registry.filter("title", "suffix", "service 11")] == ["test-service-11"]
    assert len(await registry.filter("id", "prefix", "test-service-0")) == 10
    mqtt = await registry.filter("apis.protocol", "equals", "MQTT")
    assert [s.title for s in mqtt] == ["EFPF Data Spine Message Bus"]
    assert await registry.filter("type", "contains", "no such thing") == []


async def test_one_service_and_admin_changes(admin: RegistryClient, registry: RegistryClient) -> None:
    created = await admin.register(Service(type="test-service", title="Posted"))
    assert created.id.startswith("urn:uuid:")
    assert (await registry.service(created.id)).title == "Posted"
    updated = await admin.put(created.model_copy(update={"title": "Renamed"}))
    assert updated.title == "Renamed" and updated.created_at == created.created_at
    await admin.delete(created.id)
    with pytest.raises(NotFound):
        await registry.service(created.id)
    with pytest.raises(NotFound):
        await admin.delete(created.id)


async def test_changes_need_the_admin_role(registry: RegistryClient) -> None:
    with pytest.raises(AccessDenied) as caught:
        await registry.register(Service(type="test-service", title="Not allowed"))
    assert caught.value.status == 403


async def test_a_registry_without_the_search_service(
    admin: RegistryClient, settings: FederationSettings
) -> None:
    await admin.delete("efpf-federated-search")
    async with EfpfMatchmaker(settings) as matchmaker:
        with pytest.raises(SearchServiceNotFound) as caught:
            await matchmaker.search_base_url()
    assert caught.value.reason == "efpf-no-search-service"
    assert SEARCH_SERVICE_TYPE in str(caught.value)


async def test_search_service_selection_is_configuration(
    admin: RegistryClient, settings: FederationSettings, service: RunningService
) -> None:
    # By title instead of type; and an entry of the right type without an HTTP API does not count.
    await admin.put(
        Service(
            id="half",
            type=SEARCH_SERVICE_TYPE,
            title="Search (MQTT only)",
            apis=(Api(protocol="MQTT", url="x"),),
        )
    )
    by_title = settings.model_copy(
        update={"search_service_type": None, "search_service_title": "federated SEARCH"}
    )
    async with EfpfMatchmaker(by_title) as matchmaker:
        assert await matchmaker.search_base_url() == f"{service.url}/apis/search"
    other_type = settings.model_copy(update={"search_service_type": "nimble-indexing"})
    async with EfpfMatchmaker(other_type) as matchmaker:
        with pytest.raises(SearchServiceNotFound, match="nimble-indexing"):
            await matchmaker.search_base_url()


async def test_malformed_registry_answers(registry: RegistryClient, control: Control) -> None:
    control.fault("registry", mode="malformed")
    with pytest.raises(MalformedResponse, match="not JSON"):
        await registry.page()
    control.fault("registry", mode="wrong-shape")
    with pytest.raises(MalformedResponse, match="ServicePage"):
        await registry.page()


async def test_the_registry_retries_a_500(registry: RegistryClient, control: Control) -> None:
    control.fault("registry", count=2, status=500)
    assert (await registry.page()).total >= 1
    assert control.counters()["registry"] == 3
