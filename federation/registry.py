"""Step 2 of the EFPF flow: the service registry (LinkSmart Service Catalog v3) and, in it, the
base URL of the federated search service.

Catalog API: ``GET /`` (paged: ``page``, ``per_page``)
-> ``{id, description, services, page, per_page, total}``;
``GET /{id}``; the filter form ``GET /{jsonpath}/{equals|prefix|suffix|contains}/{value}`` (paged);
``POST /`` (id assigned), ``PUT /{id}``, ``DELETE /{id}`` (an admin's token).
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from federation.errors import MalformedResponse, SearchServiceNotFound
from federation.http import RetryPolicy, check_status, json_body, send
from federation.settings import FederationSettings

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: Largest page the client asks for (LinkSmart's own maximum is 100).
MAX_PER_PAGE = 100
#: Stop paging after this many pages whatever ``total`` says (a registry that never ends).
MAX_PAGES = 1000


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class ApiSpec(_Model):
    media_type: str = Field(default="", alias="mediaType")
    url: str = ""
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")


class Api(_Model):
    """One API of a service; for the search service, ``url`` is the search base URL."""

    id: str = ""
    title: str = ""
    description: str = ""
    protocol: str = ""
    url: str = ""
    spec: ApiSpec | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class Service(_Model):
    """A service description, as LinkSmart Service Catalog v3 stores it."""

    id: str = ""
    type: str = ""
    title: str = ""
    description: str = ""
    meta: dict[str, Any] = Field(default_factory=dict)
    apis: tuple[Api, ...] = ()
    doc: str = ""
    ttl: int | None = Field(default=None, ge=0)
    created_at: datetime | None = Field(default=None, alias="createdAt")
    updated_at: datetime | None = Field(default=None, alias="updatedAt")
    expires_at: datetime | None = Field(default=None, alias="expiresAt")

    def wire(self) -> dict[str, Any]:
        """The JSON body the catalog expects (camelCase, no empty timestamps)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ServicePage(_Model):
    id: str = ""
    description: str = ""
    services: tuple[Service, ...] = ()
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(ge=0)


class FilterOp(StrEnum):
    EQUALS = "equals"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    CONTAINS = "contains"


class RegistryClient:
    """Reads (and, with an admin token, changes) the service registry."""

    def __init__(self, settings: FederationSettings, http: httpx.AsyncClient, auth: httpx.Auth) -> None:
        self._settings = settings
        self._http = http
        self._auth = auth
        self._policy = RetryPolicy.from_settings(settings)
        self.base_url = settings.registry_url

    async def page(self, page: int = 1, per_page: int = MAX_PER_PAGE) -> ServicePage:
        return await self._page(f"{self.base_url}/", page, per_page)

    async def services(self, per_page: int = MAX_PER_PAGE) -> list[Service]:
        """Every service description, over all pages."""
        return await self._all(f"{self.base_url}/", per_page)

    async def filter(
        self, path: str, op: FilterOp | str, value: str, per_page: int = MAX_PER_PAGE
    ) -> list[Service]:
        """The filter form: services whose JSON ``path`` (dotted) ``op`` ``value``, over all pages."""
        op = FilterOp(op)
        url = f"{self.base_url}/{quote(path, safe='.')}/{op.value}/{quote(value, safe='')}"
        return await self._all(url, per_page)

    async def service(self, service_id: str) -> Service:
        what = f"registry service {service_id!r}"
        response = await self._request("GET", self._item(service_id), what)
        return _parse(Service, json_body(response, what), what)

    async def register(self, service: Service) -> Service:
        """``POST /``: the catalog assigns the id when ``service.id`` is empty."""
        what = "registering a service"
        response = await self._request("POST", f"{self.base_url}/", what, json=service.wire())
        return _parse(Service, json_body(response, what), what)

    async def put(self, service: Service) -> Service:
        """``PUT /{id}``: create or replace."""
        what = f"updating registry service {service.id!r}"
        response = await self._request("PUT", self._item(service.id), what, json=service.wire())
        return _parse(Service, json_body(response, what), what)

    async def delete(self, service_id: str) -> None:
        await self._request("DELETE", self._item(service_id), f"deleting registry service {service_id!r}")

    async def search_base_url(self) -> str:
        """The base URL of the federated search service, chosen by the configured selector."""
        settings = self._settings
        if settings.search_service_type is not None:
            services = await self.filter("type", FilterOp.EQUALS, settings.search_service_type)
        else:
            services = await self.services()
        service, api = select_search_api(services, settings)
        log.debug("federated search service %r (%s) at %s", service.id, service.title, api.url)
        return api.url.rstrip("/")

    def _item(self, service_id: str) -> str:
        return f"{self.base_url}/{quote(service_id, safe='')}"

    async def _request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        response = await send(
            self._http, method, url, policy=self._policy, what=what, auth=self._auth, **kwargs
        )
        check_status(response, what)
        return response

    async def _page(self, url: str, page: int, per_page: int) -> ServicePage:
        what = f"registry page {page}"
        params = {"page": page, "per_page": min(per_page, MAX_PER_PAGE)}
        response = await self._request("GET", url, what, params=params)
        return _parse(ServicePage, json_body(response, what), what)

    async def _all(self, url: str, per_page: int) -> list[Service]:
        found: list[Service] = []
        for number in range(1, MAX_PAGES + 1):
            page = await self._page(url, number, per_page)
            found.extend(page.services)
            if not page.services or len(found) >= page.total:
                break
        return found


def select_search_api(services: list[Service], settings: FederationSettings) -> tuple[Service, Api]:
    """The first service matching type/title whose API of the configured protocol has a URL."""
    wanted_type = settings.search_service_type
    wanted_title = settings.search_service_title
    protocol = settings.search_api_protocol.casefold()
    for service in services:
        if wanted_type is not None and service.type != wanted_type:
            continue
        if wanted_title is not None and wanted_title.casefold() not in service.title.casefold():
            continue
        for api in service.apis:
            if api.protocol.casefold() == protocol and api.url:
                return service, api
    criteria = [f"type {wanted_type!r}"] if wanted_type else []
    criteria += [f"a title containing {wanted_title!r}"] if wanted_title else []
    criteria.append(f"an API of protocol {settings.search_api_protocol!r} with a URL")
    raise SearchServiceNotFound(
        f"the service registry lists no federated search service ({', '.join(criteria)}) "
        f"among {len(services)} candidate service(s)",
        url=settings.registry_url,
    )


def _parse(model: type[M], body: Any, what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors(include_url=False)[:3]
        )
        raise MalformedResponse(f"{what}: not a {model.__name__}: {problems}") from exc
