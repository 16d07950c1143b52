"""Issue 11, item 6 and Build 5: production mode worth the name. Over real HTTP, on both
engines: no GraphiQL, no introspection and no suggestions without the setting, Secure cookies,
security headers, an absolute session lifetime, a start-up that refuses known secrets, client
mistakes kept out of the error log, no statement-count oracle in development, and trusted
documents."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from auth.passwords import hash_password
from core.config import ConfigError
from core.db import Database
from csdesk.app import create_app
from models import Line, Order, PostsalesAction, Role, SessionToken, Store, User
from schema.exposure import MANIFEST, manifest_text, sha256
from tests import test_contract
from tests.conftest import GraphQLClient, make_settings

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "Order") { fields { name } } }'
TYPO = "{ ordrs(first: 1) { totalCount } }"
ENUM_TYPO = """mutation($k: CommentKind) { orderCommentAdd(input: {orderId: "x", text: "t",
  kind: $k}) { __typename } }"""


def production(db: Database, **overrides: Any) -> Any:
    return create_app(make_settings(db, environment="production", **overrides), database=db)


@pytest.fixture
async def prod(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production(db)), base_url="https://testserver"
    ) as c:
        yield c


def messages(body: dict[str, Any]) -> list[str]:
    return [str(e["message"]) for e in body.get("errors") or []]


async def test_no_graphiql_in_production(prod: httpx.AsyncClient) -> None:
    r = await prod.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in r.text.lower()
    assert r.status_code != 200 or "text/html" not in r.headers.get("content-type", "")
    assert (await prod.get("/graphiql/graphiql.js")).status_code == 404


@pytest.mark.parametrize("query", [INTROSPECTION, TYPE])
async def test_introspection_is_refused_in_production(
    db: Database, prod: httpx.AsyncClient, query: str
) -> None:
    gql = GraphQLClient(prod)
    body = await gql.execute(query)
    assert body.get("data") is None and "introspection has been disabled" in messages(body)[0]
    # Signed in makes no difference, unless the role holds SCHEMA_INTROSPECT.
    await gql.login("agent")
    body = await gql.execute(query)
    assert body.get("data") is None and body["errors"]
    assert not any("Did you mean" in m for m in messages(await gql.execute(TYPO)))
    await gql.login("admin")
    body = await gql.execute(query)
    assert not body.get("errors") and body["data"], body
    assert any("Did you mean" in m for m in messages(await gql.execute(TYPO)))
    # Taken away, it is refused at once.
    async with db.write() as s:
        role = await s.scalar(select(Role).where(Role.name == "Administrator"))
        assert role is not None and "SCHEMA_INTROSPECT" in role.permissions
        role.permissions = [p for p in role.permissions if p != "SCHEMA_INTROSPECT"]
        await s.commit()
    body = await gql.execute(query)
    assert body.get("data") is None and body["errors"]
    # __typename is no introspection.
    assert (await gql.data("{ __typename }")) == {"__typename": "Query"}


async def test_introspection_answers_when_turned_on_and_in_development(
    db: Database, client: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production(db, introspection=True)),
        base_url="https://testserver",
    ) as c:
        body = await GraphQLClient(c).execute(INTROSPECTION)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    body = await GraphQLClient(client).execute(INTROSPECTION)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("query,variables", [(TYPO, {}), (ENUM_TYPO, {"k": "COMMUNICATIO"})])
async def test_no_suggestions_in_production(
    prod: httpx.AsyncClient, client: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    dev = await GraphQLClient(client).execute(query, variables)
    assert any("Did you mean" in m for m in messages(dev)), dev
    body = await GraphQLClient(prod).execute(query, variables)
    assert body["errors"] and not any("Did you mean" in m for m in messages(body)), body
    assert not any("orders" in m or "COMMUNICATION" in m for m in messages(body)), body


async def test_the_session_cookie_is_secure_in_production(prod: httpx.AsyncClient) -> None:
    r = await prod.post(
        "/graphql",
        json={
            "query": 'mutation { login(input: {username: "agent", password: "agent"}) '
            "{ __typename } }"
        },
    )
    assert r.json()["data"]["login"]["__typename"] == "LoginSuccess"
    cookie = r.headers["set-cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


@pytest.mark.parametrize("path", ["/graphql", "/health", "/admin/"])
async def test_security_headers_in_production(prod: httpx.AsyncClient, path: str) -> None:
    r = await (
        prod.post(path, json={"query": "{ __typename }"}) if path == "/graphql" else prod.get(path)
    )
    h = r.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "default-src 'self'" in h["content-security-policy"]
    assert h["strict-transport-security"].startswith("max-age=")


async def test_development_keeps_graphiqls_policy_and_sends_no_hsts(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "sha256-" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in r.headers


async def test_sessions_end_at_their_absolute_lifetime(
    db: Database, prod: httpx.AsyncClient
) -> None:
    gql = GraphQLClient(prod)
    await gql.login("agent")
    viewer = "{ viewer { username } }"

    async def signed_in_since(hours: float) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC)
        async with db.write() as s:
            await s.execute(
                update(SessionToken).values(
                    created_at=now - dt.timedelta(hours=hours), last_used_at=now
                )
            )
            await s.commit()
        return await gql.execute(viewer)

    # Busy all along (never idle), yet the session ends 12 hours after sign-in.
    assert (await signed_in_since(11.9))["data"]["viewer"]["username"] == "agent"
    body = await signed_in_since(12.1)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_startup_refuses_the_development_secret_and_demo_passwords(db: Database) -> None:
    app = production(db)
    with pytest.raises(ConfigError) as refused:
        async with app.router.lifespan_context(app):
            pass
    message = str(refused.value)
    assert "\n" not in message
    assert "CSDESK_WEBHOOK_SECRET" in message
    assert "admin" in message and "agent" in message and "supervisor" in message
    # Fixed: a secret of its own, new passwords (or deactivated users): it starts.
    async with db.write() as s:
        await s.execute(
            update(User)
            .where(User.username.in_(["admin", "supervisor"]))
            .values(password_hash=hash_password("a long passphrase of its own"))
        )
        await s.execute(update(User).where(User.username == "agent").values(active=False))
        await s.commit()
    app = production(db, webhook_secret="a-secret-of-our-own-0123456789")
    async with app.router.lifespan_context(app):
        pass


async def test_client_mistakes_are_not_logged_with_tracebacks(
    prod: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    gql = GraphQLClient(prod)
    caplog.set_level(logging.INFO)
    await gql.execute("query($n: Int!) { orders(first: $n) { totalCount } }", {"n": "many"})
    await gql.execute(ENUM_TYPO, {"k": "NOPE"})
    await gql.execute("{ order(number: 12) { id } }")
    await gql.execute("{ orders(first: 1) { edges { node { nope } } } }")
    await gql.login("agent")
    await gql.execute("query($n: Int!) { orders(first: $n) { totalCount } }", {"n": 2**40})
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def gid(type_name: str, row_id: int) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


async def test_statement_counts_tell_no_invisible_object_apart(
    db: Database, gql: GraphQLClient
) -> None:
    """In development, extensions.sqlStatements differed between an action or a line of a
    store the viewer does not see (3 statements) and one that does not exist (2)."""
    hidden_store = Store.code.not_in(["UK", "DE"])
    async with db.read() as s:
        number = await s.scalar(
            select(Order.number).join(Store, Store.id == Order.store_id).where(hidden_store)
        )
        action = await s.scalar(
            select(PostsalesAction.id)
            .join(Order, Order.id == PostsalesAction.order_id)
            .join(Store, Store.id == Order.store_id)
            .where(hidden_store)
        )
        line = await s.scalar(
            select(Line.id)
            .join(Order, Order.id == Line.order_id)
            .join(Store, Store.id == Order.store_id)
            .where(hidden_store)
        )
    assert number and action and line
    await gql.login("agent")
    by_number = "query($n: String!) { order(number: $n) { id number } }"
    by_id = "query($n: ID!) { node(id: $n) { id } }"
    pairs = [
        (by_number, number, "999999"),
        (by_id, gid("PostsalesAction", action), gid("PostsalesAction", 99_999_999)),
        (by_id, gid("Line", line), gid("Line", 99_999_999)),
    ]
    for query, invisible, missing in pairs:
        assert await gql.execute(query, {"n": invisible}) == await gql.execute(
            query, {"n": missing}
        ), query
    # Viewers of every store have nothing invisible: they keep the count.
    await gql.login("supervisor")
    assert "sqlStatements" in (await gql.execute(by_id, {"n": pairs[1][1]}))["extensions"]


# Trusted documents ------------------------------------------------------------------------


def test_the_manifest_is_generated_from_the_contract() -> None:
    assert MANIFEST.read_text() == manifest_text(), (
        "frontend-contract/trusted-documents.json is stale: run `make schema`"
    )


@pytest.fixture
async def trusted(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = production(db, trusted_documents=True)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as c:
        yield c


@pytest.mark.parametrize(
    "payload",
    [
        {"query": "{ viewer { username } }"},
        {"query": "{ orders(first: 1) { totalCount } }"},
        {"query": INTROSPECTION},
        {"query": "{ nope"},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
        {"extensions": {"documentId": "sha256:" + "cd" * 32}},
    ],
)
async def test_ad_hoc_documents_are_refused(
    trusted: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    r = await trusted.post("/graphql", json=payload)
    body = r.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNTRUSTED_DOCUMENT"], body


async def test_a_contract_operation_runs_by_hash(
    trusted: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    token = await GraphQLClient(client).login("agent")
    text = (test_contract.CONTRACT / "operations" / "Viewer.graphql").read_text()
    for extensions in (
        {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}},
        {"documentId": f"sha256:{sha256(text)}"},
    ):
        r = await trusted.post(
            "/graphql",
            json={"extensions": extensions},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.json()["data"]["viewer"]["username"] == "agent", r.text
    # The same text with other spacing and no comments is the same document.
    compact = " ".join(line for line in text.splitlines() if not line.startswith("#"))
    body = await GraphQLClient(trusted).execute(compact, token=token)
    assert body["data"]["viewer"]["username"] == "agent", body


@pytest.mark.parametrize("name", sorted(test_contract.CASES))
async def test_every_contract_operation_runs_with_trusted_documents(
    db: Database, client: httpx.AsyncClient, trusted: httpx.AsyncClient, name: str
) -> None:
    """Set up (sign in, find variables) on a development app; run the operation itself, as
    its file holds it, on a production app that runs trusted documents only."""
    user, variables, check = test_contract.CASES[name]
    setup = GraphQLClient(client)
    if user == "integration":
        from tests.test_integrations import integration_token

        setup.token = await integration_token(db)
    elif user:
        await setup.login(user)
    if callable(variables):
        variables = await variables(setup)
    if test_contract.ORDER_ID in variables.values():
        order_id = (await setup.data('{ order(number: "100001") { id } }'))["order"]["id"]
        variables = {
            k: order_id if v == test_contract.ORDER_ID else v for k, v in variables.items()
        }
    text = (test_contract.CONTRACT / "operations" / f"{name}.graphql").read_text()
    body = await GraphQLClient(trusted).execute(text, variables, token=setup.token)
    if test_contract.is_subscription(name):
        # Trusted, so it gets as far as the transport rule: subscriptions go over WebSocket
        # (tests/test_contract.py runs them there).
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"], body
        return
    assert not body.get("errors"), body["errors"]
    check(body["data"])


def test_manifest_names_every_operation() -> None:
    documents = json.loads(Path(MANIFEST).read_text())["documents"]
    assert sorted(d["name"] for d in documents.values()) == sorted(test_contract.CASES)


async def test_serve_refuses_known_secrets_with_one_line(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    import uvicorn

    from csdesk.cli import main

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    monkeypatch.setenv("CSDESK_ENV", "production")
    monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("CSDESK_WEBHOOK_SECRET", raising=False)
    code = await asyncio.to_thread(main, ["serve"])
    err = capsys.readouterr().err
    assert code != 0 and started == []
    assert err.count("\n") == 1 and "CSDESK_WEBHOOK_SECRET" in err and "demo password" in err
