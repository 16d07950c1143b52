"""The admin UI mount: the built SPA under /admin with its fallback, cache and security
headers, and a clear 503 page while no build exists."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from csdesk import admin_ui

INDEX = '<!doctype html><div id="root"></div><script src="/admin/assets/app-1a2b.js"></script>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX)
    (built / "assets" / "app-1a2b.js").write_text("console.log('csdesk')")
    (built / "favicon.svg").write_text("<svg/>")
    return built


async def _client(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=admin_ui.routes(dist))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def ui(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(dist):
        yield c


async def test_admin_redirects_to_the_app(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/admin")
    assert response.status_code == 308
    assert response.headers["location"].endswith("/admin/")


async def test_index_is_served_and_always_revalidated(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/admin/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_routes_of_the_spa_answer_index_html(ui: httpx.AsyncClient) -> None:
    for path in ("/admin/orders", "/admin/orders/100045-E1", "/admin/postsales?kind=RETURN"):
        response = await ui.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX, path


async def test_hashed_assets_are_cached_and_files_served(ui: httpx.AsyncClient) -> None:
    asset = await ui.get("/admin/assets/app-1a2b.js")
    assert asset.status_code == 200
    assert asset.text == "console.log('csdesk')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await ui.get("/admin/favicon.svg")).text == "<svg/>"


async def test_a_missing_asset_is_404_not_the_index(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/admin/assets/app-old.js")
    assert response.status_code == 404


async def test_no_build_is_a_503_that_says_how_to_build(tmp_path: Path) -> None:
    async for c in _client(tmp_path / "not-built"):
        response = await c.get("/admin/orders")
        assert response.status_code == 503
        assert "make ui-build" in response.text
        assert response.headers["content-type"].startswith("text/html")


async def test_a_build_made_while_serving_is_served_at_once(tmp_path: Path, dist: Path) -> None:
    later = tmp_path / "later"
    async for c in _client(later):
        assert (await c.get("/admin/")).status_code == 503
        await anyio.to_thread.run_sync(dist.rename, later)
        assert (await c.get("/admin/")).text == INDEX


async def test_the_app_serves_the_admin_ui_next_to_graphql(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin/orders")
    assert response.status_code in (200, 503)
    assert response.headers["content-type"].startswith("text/html")
