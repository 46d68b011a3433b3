"""The local federation service: one FastAPI app standing in for EFPF.

=====================================================  =========================================
``POST /auth/realms/{realm}/protocol/openid-connect/token``  Keycloak password / refresh-token grant
``GET  /auth/realms/{realm}/protocol/openid-connect/certs``  JWKS (RS256 key)
``GET  /apis/sr/...``  ``POST/PUT/DELETE`` (admin)             LinkSmart Service Catalog v3
``GET  /apis/search/party/select``                           federated search over the data set
``GET  /health``                                             liveness, no token
``/_test/...``                                               test controls (only if enabled)
=====================================================  =========================================
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from federation.dataset.schema import SupplierDataset
from federation.service import identity_routes, registry_routes, search_routes, test_routes
from federation.service.faults import InjectedFault
from federation.service.state import ServiceState
from federation.settings import FederationSettings


def create_app(
    settings: FederationSettings, public_url: str, dataset: SupplierDataset | None = None
) -> FastAPI:
    """The app for a service reachable at ``public_url`` (written into the registry and the tokens)."""
    state = ServiceState(settings, public_url, dataset)
    app = FastAPI(
        title="Local EFPF federation service",
        description="Identity provider, service registry and federated search standing in for EFPF.",
        version="1.0",
    )
    app.state.federation = state

    @app.exception_handler(InjectedFault)
    async def injected(_: Request, exc: InjectedFault) -> Response:
        return exc.response

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str | int]:
        return {"status": "ok", "suppliers": len(state.entries)}

    app.include_router(identity_routes.router)
    app.include_router(registry_routes.router)
    app.include_router(search_routes.router)
    if settings.service_test_controls:
        app.include_router(test_routes.router)
    return app
