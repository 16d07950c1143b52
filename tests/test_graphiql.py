"""GraphiQL from csdesk itself: the page, its CSP, the vendored assets and their hashes.

The browser side (the page renders and runs queries offline) is tests/test_graphiql_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.db import Database
from csdesk import graphiql
from csdesk.app import create_app

HTML = {"accept": "text/html"}
# Strawberry 0.341's GraphiQL page: what it loads from the CDN, pinned by SRI hash.
STRAWBERRY_ASSETS = {
    ("react", "umd/react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js"),
    ("js-cookie", "dist/js.cookie.min.js"),
    ("graphiql", "graphiql.min.css"),
    ("graphiql", "graphiql.min.js"),
    ("@graphiql/plugin-explorer", "dist/style.css"),
    ("@graphiql/plugin-explorer", "dist/index.umd.js"),
}


def _sri(algorithm: str, data: bytes) -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


async def _client(tmp_path: Path, environment: str) -> AsyncIterator[httpx.AsyncClient]:
    # The page and the assets never touch the database: an unmigrated file is enough.
    url = f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite'}"
    db = Database.connect(url)
    app = create_app(Settings(database_url=url, environment=environment), database=db)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            yield client
    finally:
        await db.dispose()


@pytest.fixture
async def dev(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, "development"):
        yield client


@pytest.fixture
async def prod(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, "production"):
        yield client


def _assets(page: str) -> list[tuple[str, str | None]]:
    """(URL, integrity or None) of every tag in the page that makes the browser fetch."""
    found = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
        url = re.search(r'(?:src|href)="([^"]+)"', tag)
        integrity = re.search(r'integrity="([^"]+)"', tag)
        assert url, tag
        found.append((url.group(1), integrity.group(1) if integrity else None))
    return found


async def test_the_page_loads_only_from_this_origin_under_a_self_only_csp(
    dev: httpx.AsyncClient,
) -> None:
    response = await dev.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert csp == graphiql.CONTENT_SECURITY_POLICY
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["cache-control"] == "no-cache"
    page = response.text
    assert "<script>" not in page and "<style" not in page  # nothing inline
    assert "//" not in page.replace("<!doctype html>", "")  # no absolute URL at all
    assets = _assets(page)
    assert assets and all(url.startswith(graphiql.ASSETS_PATH + "/") for url, _ in assets)
    # Every script and stylesheet is pinned by hash; only the icon is not.
    assert [url for url, integrity in assets if integrity is None] == [
        graphiql.asset("csdesk", "favicon.svg").url
    ]


async def test_every_asset_of_the_page_is_served_with_its_hash_and_a_long_cache(
    dev: httpx.AsyncClient,
) -> None:
    page = (await dev.get("/graphql", headers=HTML)).text
    for url, integrity in _assets(page):
        response = await dev.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        kind = response.headers["content-type"]
        if url.split("?")[0].endswith(".js"):
            assert kind.startswith("text/javascript"), (url, kind)
        elif url.split("?")[0].endswith(".css"):
            assert kind.startswith("text/css"), (url, kind)
        if integrity is not None:
            assert _sri("sha384", response.content) == integrity, url


async def test_the_page_uses_exactly_strawberrys_assets_with_strawberrys_hashes(
    dev: httpx.AsyncClient,
) -> None:
    manifest = json.loads((graphiql.VENDOR_DIR / "manifest.json").read_text())
    assert {(f["package"], f["file"]) for f in manifest["files"]} == STRAWBERRY_ASSETS
    page = (await dev.get("/graphql", headers=HTML)).text
    used = {url for url, _ in _assets(page)}
    for entry in manifest["files"]:
        assert graphiql.asset(entry["package"], entry["file"]).url in used, entry["path"]


def test_the_vendored_files_match_their_manifest() -> None:
    manifest = json.loads((graphiql.VENDOR_DIR / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (graphiql.VENDOR_DIR / entry["path"]).read_bytes()
        assert entry["path"] == f"{entry['package']}@{entry['version']}/{entry['file']}"
        assert len(data) == entry["size"], entry["path"]
        assert _sri("sha384", data) == entry["sha384"], entry["path"]
        assert _sri("sha512", data) == entry["sha512"], entry["path"]
    for package in manifest["packages"]:
        assert package["tarball_integrity"].startswith("sha512-")
        assert package["license"] == "MIT"
        if package["license_file"]:
            assert (graphiql.VENDOR_DIR / package["license_file"]).is_file()


async def test_json_clients_still_get_graphql_not_the_page(dev: httpx.AsyncClient) -> None:
    response = await dev.post("/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}
    # The policy every response carries (csdesk/headers.py), not the page's own.
    assert "sha256-" not in response.headers["content-security-policy"]


async def test_production_serves_neither_the_page_nor_its_assets(prod: httpx.AsyncClient) -> None:
    assert (await prod.get("/graphql", headers=HTML)).status_code == 404
    url = graphiql.asset("graphiql", "graphiql.min.js").url
    assert (await prod.get(url)).status_code == 404


async def test_the_asset_folder_serves_nothing_outside_it(dev: httpx.AsyncClient) -> None:
    for path in ("/../app.py", "/%2e%2e/app.py", "/vendor/../../graphiql.py", "/missing.js"):
        response = await dev.get(graphiql.ASSETS_PATH + path)
        assert response.status_code == 404, path
