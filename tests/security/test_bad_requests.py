"""Issue 11 item 5: malformed bodies (``null``, ``"str"``, ``NaN``, invalid UTF-8, JSON nested
3,000 levels, a wrong content type) were answered 500 with a traceback before any sign-in;
now 400 with a GraphQL-shaped error. Bodies over ``CSDESK_MAX_BODY_BYTES`` (1 MiB) are
answered 413 without being read into memory (three 100 MB bodies took the process to 800 MB).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.config import Settings
from core.db import Database
from csdesk.app import create_app
from tests.conftest import make_settings
from tests.security.fingerprint import leaks

VIEWER = b'{"query": "{ viewer { username } }"}'
MALFORMED = {
    "null": b"null",
    "a string": b'"str"',
    "a number": b"12",
    "true": b"true",
    "NaN": b"NaN",
    "NaN in variables": b'{"query": "{ viewer { username } }", "variables": {"a": NaN}}',
    "Infinity": b'{"query": "{ viewer { username } }", "variables": {"a": -Infinity}}',
    "invalid UTF-8": b'{"query": "{ viewer { username } \xff\xfe }"}',
    "UTF-16 with a BOM": b"\xff\xfe{\x00}\x00",
    "nested 3,000 levels": b"[" * 3000 + b"]" * 3000,
    "objects nested 3,000 levels": b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "variables nested 100 levels": b'{"query": "{ viewer { username } }", "variables": {"v": '
    + b"[" * 100
    + b"]" * 100
    + b"}}",
    "truncated": b'{"query": "{ viewer',
    "empty": b"",
    "query not a string": b'{"query": 12}',
    "variables not an object": b'{"query": "{ viewer { username } }", "variables": "x"}',
    "a batch": b'[{"query": "{ viewer { username } }"}]',
    "no query": b'{"variables": {}}',
}


def assert_graphql_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert leaks(response.text) == [], response.text
    body: dict[str, Any] = response.json()
    (error,) = body["errors"]
    assert error["message"], body
    assert error["extensions"]["code"] == code, body
    return error


@pytest.mark.parametrize("name", sorted(MALFORMED))
async def test_a_malformed_body_is_a_400_graphql_error(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.post(
        "/graphql", content=MALFORMED[name], headers={"content-type": "application/json"}
    )
    assert_graphql_error(response, 400, "BAD_REQUEST")
    # The server carries on.
    ok = await client.post("/graphql", content=VIEWER, headers={"content-type": "application/json"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_a_wrong_content_type_is_a_400_graphql_error(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post("/graphql", content=VIEWER, headers={"content-type": content_type})
    error = assert_graphql_error(response, 400, "BAD_REQUEST")
    assert "content type" in error["message"].lower()


async def test_other_methods_are_refused_as_graphql_errors(client: httpx.AsyncClient) -> None:
    response = await client.put("/graphql", content=VIEWER)
    assert response.status_code == 405


async def test_a_body_over_the_limit_is_413_from_its_content_length(
    client: httpx.AsyncClient,
) -> None:
    body = b'{"query": "{ viewer { username } }", "pad": "' + b"x" * (1 << 20) + b'"}'
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    error = assert_graphql_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert error["extensions"]["limit"] == 1_048_576
    assert "1,048,576 bytes" in error["message"]


async def test_a_streamed_body_is_cut_off_once_past_the_limit(
    client: httpx.AsyncClient,
) -> None:
    """No Content-Length (chunked): the bytes are counted as they come, and the rest of a
    100 MB body is never asked for."""
    sent = 0

    async def hundred_megabytes() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1600):
            sent += 65536
            yield b"x" * 65536

    response = await client.post(
        "/graphql", content=hundred_megabytes(), headers={"content-type": "application/json"}
    )
    assert_graphql_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert sent <= 2 * 1_048_576 + 65536


async def test_a_body_just_under_the_limit_is_read(client: httpx.AsyncClient) -> None:
    head = b'{"query": "{ viewer { username } }", "pad": "'
    body = head + b"x" * (1_048_576 - len(head) - 2) + b'"}'
    assert len(body) == 1_048_576
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_limit_is_a_setting(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSDESK_MAX_BODY_BYTES", "100")
    assert Settings.from_env().max_body_bytes == 100
    assert Settings().max_body_bytes == 1_048_576
    app = create_app(make_settings(db, max_body_bytes=100), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        small = await http.post(
            "/graphql", content=VIEWER, headers={"content-type": "application/json"}
        )
        assert small.status_code == 200
        big = await http.post(
            "/graphql",
            content=b'{"query": "{ viewer { username } }", "pad": "' + b"x" * 100 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert_graphql_error(big, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("query {", {}, "GRAPHQL_PARSE_FAILED"),
        ('{ order(number: "\\ud800") { id } }', {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: String!) { order(number: $n) { id } }", {}, "BAD_USER_INPUT"),
        ("query($n: String!) { order(number: $n) { id } }", {"n": 5}, "BAD_USER_INPUT"),
    ],
)
async def test_a_refused_document_is_typed(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], code: str
) -> None:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code, error
