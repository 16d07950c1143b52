"""GraphiQL in headless Chromium, with no request leaving the machine.

A real ``csdesk serve`` (uvicorn) on a free loopback port and a copy of the seeded SQLite
database; Debian's chromium driven by Playwright's Python client (never ``playwright install``:
CI installs chromium with apt-get, see .ci/run). Host names do not resolve in this browser and
any request to another origin is aborted, and recorded: the test asserts there were none.

Select it alone with ``pytest -m browser``; it runs in ``make test`` and fails, rather than
skips, when chromium is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from tests.conftest import Template

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CSDESK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The network is off for this browser: no name resolves, only the loopback IP is reached.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE = ".graphiql-response"
LOGIN = """mutation {
  login(input: {username: "agent", password: "agent"}) {
    __typename
    ... on LoginSuccess { token }
  }
}"""
VIEWER = "{ viewer { username } }"
# GraphiQL's bundled react-remove-scroll-bar logs this when a dialog opens on a page whose body
# has overflow hidden (Strawberry's page style, kept): it then measures no scrollbar gap.
KNOWN_CONSOLE_ERRORS = ("react-remove-scroll-bar: cannot calculate scrollbar size",)
# Collects CSP violations inside the page, where they happen.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(seeded_template: Template, tmp_path: Path) -> Iterator[str]:
    """``csdesk serve`` on a copy of the seeded SQLite database; yields its base URL."""
    assert seeded_template.path is not None
    database = tmp_path / "graphiql.sqlite"
    shutil.copyfile(seeded_template.path, database)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CSDESK_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "CSDESK_ENV": "development",
        "CSDESK_WORKER_IN_PROCESS": "false",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "csdesk", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "csdesk serve did not start:\n" + (
                    log_path.read_text()
                )
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _set_editor(page: Page, selector: str, text: str) -> None:
    page.locator(selector).wait_for()
    page.evaluate("([s, t]) => document.querySelector(s).CodeMirror.setValue(t)", [selector, text])


def _run(page: Page, query: str, expect_text: str) -> dict[str, Any]:
    _set_editor(page, QUERY_EDITOR, query)
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(RESPONSE)).to_contain_text(expect_text, timeout=20_000)
    text = page.evaluate(
        "s => document.querySelector(s).CodeMirror.getValue()", f"{RESPONSE} .CodeMirror"
    )
    result: dict[str, Any] = json.loads(text)
    return result


@pytest.mark.parametrize("backend", ["sqlite"])
def test_graphiql_renders_and_runs_queries_with_no_request_leaving_the_machine(
    server: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install chromium` (Debian's package; .ci/run "
            "does it) or point CSDESK_TEST_CHROMIUM at a Chromium binary"
        )
    requests: list[tuple[str, str]] = []
    elsewhere: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            context.on("request", lambda r: requests.append((r.method, r.url)))
            context.route("**/*", only_here)
            context.add_init_script(RECORD_CSP_VIOLATIONS)
            page = context.new_page()
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on(
                "console", lambda m: console_errors.append(m.text) if m.type == "error" else None
            )

            page.goto(f"{server}/graphql")
            # The editor renders: GraphiQL, React and the explorer came from csdesk.
            expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=30_000)
            expect(page.locator("#graphiql")).not_to_contain_text("Loading...")

            assert _run(page, "{ __typename }", '"Query"')["data"] == {"__typename": "Query"}

            # Signing in sets the HttpOnly session cookie, which the next queries carry.
            login = _run(page, LOGIN, "LoginSuccess")["data"]["login"]
            assert login["__typename"] == "LoginSuccess"
            (cookie,) = [c for c in context.cookies() if c["name"] == "csdesk_session"]
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            viewer = _run(page, VIEWER, '"agent"')
            assert viewer["data"]["viewer"] == {"username": "agent"}

            # Without the cookie the same query is refused ...
            context.clear_cookies()
            refused = _run(page, VIEWER, "UNAUTHENTICATED")
            assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            # ... and a bearer token typed into the headers editor signs it in again.
            page.locator(".graphiql-editor-tools button[data-name='headers']").click()
            _set_editor(
                page, HEADERS_EDITOR, json.dumps({"Authorization": f"Bearer {login['token']}"})
            )
            assert _run(page, VIEWER, '"agent"')["data"]["viewer"] == {"username": "agent"}

            # The explorer plugin lists the schema's root fields (from introspection).
            page.get_by_role("button", name="Show GraphiQL Explorer").click()
            explorer = page.locator(".graphiql-explorer-root")
            expect(explorer).to_contain_text("orders")
            expect(explorer).to_contain_text("viewer")

            # A dialog injects GraphiQL's one inline <style>, which the CSP allows by hash.
            page.get_by_role("button", name="Open settings dialog").click()
            expect(page.get_by_role("dialog")).to_contain_text("Persist headers")
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog")).to_have_count(0)

            violations = page.evaluate("() => window.__cspViolations")
        finally:
            context.close()

    assert elsewhere == [], f"requests that would have left the machine: {elsewhere}"
    assert requests and all(url.startswith(server + "/") for _, url in requests), requests
    assert violations == []
    assert page_errors == []
    assert [e for e in console_errors if not e.startswith(KNOWN_CONSOLE_ERRORS)] == []
    posts = [url for method, url in requests if method == "POST"]
    assert posts and all(url == f"{server}/graphql" for url in posts)
    print(f"GraphiQL made {len(requests)} requests, all to {server}: {len(posts)} POST /graphql")
