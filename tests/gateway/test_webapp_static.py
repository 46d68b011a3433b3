"""The gateway serves the web app (PWA) under /app/ and redirects / there."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.core.config import GatewaySettings, default_webapp_dir
from gateway.webapp import CONTENT_SECURITY_POLICY

WEBAPP = default_webapp_dir()


def test_the_default_directory_is_the_repository_webapp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LSO_GATEWAY_WEBAPP_DIR", raising=False)
    assert Path(__file__).resolve().parents[2] / "webapp" == WEBAPP
    assert (WEBAPP / "index.html").is_file()
    assert GatewaySettings().webapp_dir == WEBAPP


def test_the_directory_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LSO_GATEWAY_WEBAPP_DIR", str(tmp_path))
    assert GatewaySettings().webapp_dir == tmp_path


async def test_root_redirects_to_the_app(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/app/"


async def test_app_serves_index_with_a_strict_csp(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == (WEBAPP / "index.html").read_text()
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<main id="app"' in response.text and 'lang="en"' in response.text


async def test_app_without_a_slash_redirects(client: httpx.AsyncClient) -> None:
    response = await client.get("/app")
    assert response.status_code in {307, 308}
    assert response.headers["location"].endswith("/app/")


async def test_scripts_and_styles_have_their_media_types(client: httpx.AsyncClient) -> None:
    script = await client.get("/app/js/main.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    style = await client.get("/app/css/app.css")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")


async def test_manifest_is_installable(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    sizes = {icon["sizes"] for icon in pngs}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in pngs)
    for icon in manifest["icons"]:
        served = await client.get(f"/app/{icon['src']}")
        assert served.status_code == 200, icon["src"]
        assert served.headers["content-type"].startswith(icon["type"])
        if icon["type"] == "image/png":
            assert served.content.startswith(b"\x89PNG\r\n\x1a\n")
            width, height = (int(part) for part in icon["sizes"].split("x"))
            assert int.from_bytes(served.content[16:20], "big") == width
            assert int.from_bytes(served.content[20:24], "big") == height


async def test_service_worker_may_control_the_app_and_is_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/app/"
    assert response.headers["cache-control"] == "no-cache"
    index = await client.get("/app/index.html")
    assert index.headers["cache-control"] == "no-cache"
    assert "service-worker-allowed" not in index.headers


async def test_an_unknown_file_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/no/such/file.js")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path", ["/app/package.json", "/app/tests/format.test.mjs", "/app/node_modules/axe-core/axe.min.js"]
)
async def test_development_files_are_not_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_app_is_not_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/" not in paths
    assert not [path for path in paths if path == "/app" or path.startswith("/app/")]


@pytest.fixture
async def without_webapp(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(webapp_dir=tmp_path / "missing")
    app = create_app(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", data_dir=tmp_path, settings=settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield http


async def test_a_missing_directory_answers_404_problems(without_webapp: httpx.AsyncClient) -> None:
    for path in ("/app", "/app/", "/app/index.html"):
        response = await without_webapp.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == 404
        assert "LSO_GATEWAY_WEBAPP_DIR" in problem["detail"]
    health = await without_webapp.get("/health")
    assert health.status_code == 200


def test_a_missing_directory_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = GatewaySettings(webapp_dir=tmp_path / "missing")
    with caplog.at_level("WARNING", logger="gateway.webapp"):
        create_app(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", data_dir=tmp_path, settings=settings)
    assert any("missing" in record.getMessage() for record in caplog.records)
