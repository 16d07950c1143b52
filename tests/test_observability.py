"""Structured logs over real HTTP: one JSON line per request (request id, user, operation,
duration, statements, outcome, status), one audit line per mutation, one line per GraphQL
error; and the Prometheus metrics at /metrics after those requests."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.config import Settings
from core.db import Database
from core.logs import ConsoleFormatter, JsonFormatter, configure_logging
from csdesk.app import create_app
from tests.conftest import GraphQLClient, make_settings

DETAIL = "query OrderDetail($n: String!) { order(number: $n) { number status } }"
COMMENT = """mutation OrderCommentAdd($input: OrderCommentAddInput!) {
  orderCommentAdd(input: $input) { __typename
    ... on OrderCommentAddSuccess { order { number } } ... on UserError { code } } }"""
ORDER_ID = "query($n: String!) { order(number: $n) { id } }"
OPERATIONS = Path(__file__).resolve().parent.parent / "frontend-contract" / "operations"


class Lines(logging.Handler):
    """Every csdesk record, formatted as production writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def of(self, logger: str) -> list[dict[str, Any]]:
        parsed = [json.loads(line) for line in self.lines]
        return [entry for entry in parsed if entry["logger"] == logger]

    def clear(self) -> None:
        self.lines.clear()


@pytest.fixture
def logs() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("csdesk")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_one_json_line_per_request_with_its_facts(
    client: httpx.AsyncClient, gql: GraphQLClient, logs: Lines
) -> None:
    await gql.login("agent")
    logs.clear()
    response = await client.post(
        "/graphql",
        json={"query": DETAIL, "variables": {"n": "100001"}, "operationName": "OrderDetail"},
        headers={"Authorization": f"Bearer {gql.token}", "X-Request-Id": "lb-7f3a.42"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["order"]["number"] == "100001"
    assert response.headers["x-request-id"] == "lb-7f3a.42"

    assert len(logs.lines) == 1, logs.lines  # nothing else for a request that went well
    assert "\n" not in logs.lines[0]
    line = logs.of("csdesk.request")[0]
    assert line["level"] == "info"
    assert line["request_id"] == "lb-7f3a.42"
    assert line["method"] == "POST" and line["path"] == "/graphql" and line["status"] == 200
    assert line["user"] == "agent"
    assert line["operation"] == "OrderDetail" and line["operation_type"] == "query"
    assert line["outcome"] == "ok" and line["error_codes"] == []
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert isinstance(line["statements"], int) and line["statements"] >= 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


async def test_a_request_without_an_id_gets_one(client: httpx.AsyncClient, logs: Lines) -> None:
    forged = 'x" "level":"error'  # not an id: replaced, never copied into the log
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": forged}
    )
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    (line,) = logs.of("csdesk.request")
    assert line["request_id"] == request_id
    assert line["user"] is None and line["operation"] is None
    assert line["operation_type"] == "query" and line["outcome"] == "ok"


async def test_a_mutation_writes_an_audit_record(
    client: httpx.AsyncClient, gql: GraphQLClient, logs: Lines
) -> None:
    await gql.login("agent")
    order_id = (await gql.data(ORDER_ID, {"n": "100001"}))["order"]["id"]
    logs.clear()
    body = await gql.execute(
        COMMENT, {"input": {"orderId": order_id, "text": "called", "idempotencyKey": "k-1"}}
    )
    assert body["data"]["orderCommentAdd"]["__typename"] == "OrderCommentAddSuccess"
    (audit,) = logs.of("csdesk.audit")
    assert audit["user"] == "agent"
    assert audit["mutation"] == "orderCommentAdd" and audit["operation"] == "OrderCommentAdd"
    assert audit["order"] == "100001" and audit["orderId"] == order_id
    assert audit["idempotencyKey"] == "k-1"
    assert audit["outcome"] == "ok" and audit["result"] == "OrderCommentAddSuccess"
    assert "text" not in audit  # free text stays out of the logs
    (request,) = logs.of("csdesk.request")
    assert request["request_id"] == audit["request_id"]
    assert request["operation_type"] == "mutation" and request["outcome"] == "ok"

    logs.clear()
    missing = "T3JkZXI6OTk5OTk5"  # Order:999999
    body = await gql.execute(COMMENT, {"input": {"orderId": missing, "text": "called"}})
    assert body["data"]["orderCommentAdd"] == {"__typename": "NotFound", "code": "NOT_FOUND"}
    (audit,) = logs.of("csdesk.audit")
    assert audit["outcome"] == "user_error" and audit["result"] == "NotFound"
    assert audit["code"] == "NOT_FOUND" and audit["orderId"] == missing
    (request,) = logs.of("csdesk.request")
    assert request["outcome"] == "user_error" and request["user_errors"] == ["NotFound"]


async def test_login_is_audited_without_its_password(gql: GraphQLClient, logs: Lines) -> None:
    await gql.login("agent")
    (audit,) = logs.of("csdesk.audit")
    assert audit["mutation"] == "login" and audit["username"] == "agent"
    assert audit["outcome"] == "ok" and audit["result"] == "LoginSuccess"
    assert all("agent" not in line or "password" not in line for line in logs.lines)
    assert not any(gql.token and gql.token in line for line in logs.lines)


async def test_each_validation_error_is_one_line(
    client: httpx.AsyncClient, logs: Lines, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    document = "query Broken { nope viewer { alsoNope } }"
    body = (await client.post("/graphql", json={"query": document})).json()
    assert len(body["errors"]) == 2
    errors = logs.of("csdesk.graphql")
    assert [e["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"] * 2
    assert all(e["level"] == "info" and e["operation"] == "Broken" for e in errors)
    assert "nope" in errors[0]["msg"] and errors[0]["line"] == 1
    (request,) = logs.of("csdesk.request")
    assert request["outcome"] == "error"
    assert request["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"] * 2
    assert len(logs.lines) == 3 and all("\n" not in line for line in logs.lines)
    # Strawberry's own multi-line report of each error stays silent
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]

    logs.clear()
    await client.post("/graphql", json={"query": "{ orders(first: "})
    (error,) = logs.of("csdesk.graphql")
    assert error["code"] == "GRAPHQL_PARSE_FAILED"


async def test_unauthenticated_is_logged_with_its_code(
    client: httpx.AsyncClient, logs: Lines
) -> None:
    await client.post("/graphql", json={"query": DETAIL, "variables": {"n": "100001"}})
    (error,) = logs.of("csdesk.graphql")
    assert error["code"] == "UNAUTHENTICATED" and error["path"] == "order"
    (request,) = logs.of("csdesk.request")
    assert request["error_codes"] == ["UNAUTHENTICATED"] and request["outcome"] == "error"


async def test_probes_log_at_debug(client: httpx.AsyncClient, logs: Lines) -> None:
    await client.get("/health/live")
    (line,) = logs.of("csdesk.request")
    assert line["level"] == "debug" and line["path"] == "/health/live"
    assert "operation" not in line


def test_console_format_is_one_readable_line() -> None:
    record = logging.LogRecord("csdesk.request", logging.INFO, __file__, 1, "POST /graphql 200",
                               None, None)  # fmt: skip
    record.fields = {"status": 200, "user": "agent", "operation": "Order Detail", "x": None,
                     "error_codes": [], "path": "/graphql"}  # fmt: skip
    text = ConsoleFormatter().format(record)
    assert re.fullmatch(  # what the message says is not repeated
        r"\d\d:\d\d:\d\d\.\d{3} INFO  csdesk.request POST /graphql 200  "
        r'user=agent operation="Order Detail"',
        text,
    ), text


def test_log_format_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSDESK_ENV", "production")
    assert Settings.from_env().logs_as_json
    monkeypatch.setenv("CSDESK_LOG_FORMAT", "console")
    assert not Settings.from_env().logs_as_json
    monkeypatch.setenv("CSDESK_ENV", "development")
    monkeypatch.delenv("CSDESK_LOG_FORMAT")
    assert not Settings.from_env().logs_as_json
    monkeypatch.setenv("CSDESK_LOG_FORMAT", "JSON")
    monkeypatch.setenv("CSDESK_LOG_LEVEL", "warning")
    settings = Settings.from_env()
    assert settings.logs_as_json and settings.log_level == "WARNING"

    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging(json_lines=True, level="INFO", stream=stream)
        configure_logging(json_lines=True, level="INFO", stream=stream)  # replaces, no twin
        logging.getLogger("csdesk.test").info("hello", extra={"fields": {"n": 1}})
    finally:
        for handler in list(root.handlers):
            if handler.get_name() == "csdesk":
                root.removeHandler(handler)
        root.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line) | {"ts": "-"} == {
        "ts": "-", "level": "info", "logger": "csdesk.test", "msg": "hello", "n": 1,
    }  # fmt: skip


async def test_production_counts_statements_in_the_log_only(db: Database, logs: Lines) -> None:
    app = create_app(make_settings(db, environment="production"), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        await gql.login("agent")
        logs.clear()
        body = await gql.execute(DETAIL, {"n": "100001"})
    assert body["data"]["order"]["number"] == "100001"
    assert "sqlStatements" not in (body.get("extensions") or {})
    (line,) = logs.of("csdesk.request")
    assert line["statements"] >= 1 and line["user"] == "agent"


REASONS = "query PostsalesReasons { postsalesReasons(kind: RETURN) { code } }"


async def test_an_unexpected_error_names_the_request_id_the_client_got(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, logs: Lines
) -> None:
    await gql.login("agent")
    async with db.write() as session:  # a table gone from under the app: a bug's stand-in
        await session.execute(text("ALTER TABLE reason RENAME TO reason_gone"))
        await session.commit()
    logs.clear()
    response = await client.post(
        "/graphql",
        json={"query": REASONS},
        headers={"Authorization": f"Bearer {gql.token}", "X-Request-Id": "support-123"},
    )
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == "support-123"
    assert "reason" not in error["message"]
    (logged,) = logs.of("csdesk.errors")
    assert logged["level"] == "error" and logged["request_id"] == "support-123"
    assert "Traceback" in logged["exc"] and "reason" in logged["exc"]
    assert not logs.of("csdesk.graphql")  # logged once, by the error boundary
    (line,) = logs.of("csdesk.request")
    assert line["error_codes"] == ["INTERNAL_SERVER_ERROR"] and line["outcome"] == "error"
    assert line["request_id"] == "support-123"
