"""Live updates over WebSocket (graphql-transport-ws) against real uvicorn processes: a change
made on one process reaches a subscriber on another within a second (PostgreSQL), nothing of
a store outside the subscriber's access arrives, a rolled-back change announces nothing, and
the connection's limits hold."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update
from websockets.exceptions import InvalidStatus

from auth.passwords import hash_password
from core.db import Database
from models import Role, Store, User, role_stores
from models.enums import Permission
from resolvers.actions.comment import add_comment
from tests.action_helpers import make_user, order_with, sign_in, style_skus, viewer_of
from tests.conftest import GraphQLClient
from tests.live_helpers import Live, Server

ORDER_CHANGED = """subscription($n: String!) { orderChanged(number: $n) {
  number version order { number version } } }"""
QUEUE_CHANGED = """subscription($f: PostsalesQueueEventFilter) {
  postsalesQueueChanged(filter: $f) { orderNumber storeCode version } }"""
COMMENT = """mutation($i: OrderCommentAddInput!) { orderCommentAdd(input: $i) {
  __typename ... on OrderCommentAddSuccess { order { version } } } }"""
APPEASE = """mutation($i: AppeasementCreateInput!) { appeasementCreate(input: $i) {
  __typename ... on AppeasementCreateSuccess { order { number version } } } }"""
REF = "query($n: String!) { order(number: $n) { id version lines { id } } }"


Start = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start(db: Database) -> AsyncIterator[Start]:
    url = db.engine.url.render_as_string(hide_password=False)
    servers: list[Server] = []

    async def run(**env: str) -> Server:
        server = Server(url, env)
        servers.append(server)
        await server.ready()
        return server

    yield run
    for server in servers:
        server.stop()


async def comment(gql: GraphQLClient, number: str, text: str) -> int:
    order = (await gql.data(REF, {"n": number}))["order"]
    done = (await gql.data(COMMENT, {"i": {"orderId": order["id"], "text": text}}))[
        "orderCommentAdd"
    ]
    return int(done["order"]["version"])


async def appease(gql: GraphQLClient, number: str) -> dict[str, Any]:
    order = (await gql.data(REF, {"n": number}))["order"]
    payload = {"lineId": order["lines"][0]["id"], "amount": "5.00", "reason": "LATE_DELIVERY"}
    result: dict[str, Any] = (await gql.data(APPEASE, {"i": payload}))["appeasementCreate"]
    assert result["__typename"] == "AppeasementCreateSuccess", result
    return result


async def test_a_change_on_one_process_reaches_a_subscriber_on_another(
    backend: str, db: Database, start: Start
) -> None:
    if backend != "postgresql":
        pytest.skip("processes share changes through PostgreSQL")
    a, b = await start(), await start()
    async with db.read() as s:
        skus = await style_skus(s, 1)
    order = await order_with(db, skus[:1], store="UK")
    agent, agent_http = await a.login("agent")
    admin, admin_http = await b.login("admin")
    try:
        live = await Live.open(a, agent.token)
        assert await live.acked()
        sid = await live.subscribe(ORDER_CHANGED, {"n": order.number})
        version = await comment(admin, order.number, "Called the customer")
        sent = time.monotonic()
        event = await live.receive(1.0)
        assert time.monotonic() - sent < 1.0
        assert event["id"] == sid and event["type"] == "next"
        assert event["payload"]["data"]["orderChanged"] == {
            "number": order.number,
            "version": version,
            "order": {"number": order.number, "version": version},
        }
        await live.close()
    finally:
        await agent_http.aclose()
        await admin_http.aclose()


async def test_subscribers_see_nothing_of_other_stores(
    backend: str, db: Database, start: Start
) -> None:
    a = await start()
    b = await start() if backend == "postgresql" else a
    async with db.read() as s:
        skus = await style_skus(s, 1)
    us = await order_with(db, skus[:1], store="US")
    uk = await order_with(db, skus[:1], store="UK")
    agent, agent_http = await a.login("agent")  # UK and DE
    admin, admin_http = await b.login("admin")
    try:
        live = await Live.open(a, agent.token)
        assert await live.acked()
        # An order of another store looks missing.
        sid = await live.subscribe(ORDER_CHANGED, {"n": us.number})
        refused = await live.receive()
        assert refused["id"] == sid and refused["type"] == "next"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await live.receive()) == {"id": sid, "type": "complete"}

        queue = await live.subscribe(QUEUE_CHANGED)
        only_us = await live.subscribe(QUEUE_CHANGED, {"f": {"storeCodes": ["US"]}})
        await appease(admin, us.number)
        await comment(admin, us.number, "not for the agent")
        made = await appease(admin, uk.number)
        event = await live.receive(2.0)
        assert event["id"] == queue
        assert event["payload"]["data"]["postsalesQueueChanged"] == {
            "orderNumber": uk.number,
            "storeCode": "UK",
            "version": made["order"]["version"],
        }
        await live.nothing_for(0.5)  # nothing for the US filter, nothing else at all
        assert only_us != queue
        await live.close()
    finally:
        await agent_http.aclose()
        await admin_http.aclose()


async def test_a_rolled_back_change_announces_nothing(
    backend: str, db: Database, start: Start
) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite changes are announced in-process only")
    a = await start()
    async with db.read() as s:
        skus = await style_skus(s, 1)
    order = await order_with(db, skus[:1], store="UK")
    admin = await viewer_of(db, "admin")
    agent, agent_http = await a.login("agent")
    try:
        live = await Live.open(a, agent.token)
        assert await live.acked()
        await live.subscribe(ORDER_CHANGED, {"n": order.number})
        async with db.write() as s:  # a change, then a rollback
            await add_comment(s, admin, order_id=order.id, text="never happened")
            await s.rollback()
        await live.nothing_for(1.0)
        async with db.write() as s:  # the same change, committed
            await add_comment(s, admin, order_id=order.id, text="happened")
            await s.commit()
        event = await live.receive(1.0)
        assert event["payload"]["data"]["orderChanged"]["version"] == order.version + 1
        await live.close()
    finally:
        await agent_http.aclose()


async def test_sign_in_and_limits(backend: str, db: Database, start: Start) -> None:
    server = await start(
        CSDESK_WS_MAX_CONNECTIONS_PER_USER="1",
        CSDESK_WS_MAX_SUBSCRIPTIONS="1",
        CSDESK_WS_IDLE_SECONDS="1",
    )
    agent, http = await server.login("agent")
    try:
        # No login, a wrong token: refused.
        assert not await (await Live.open(server)).acked()
        assert not await (await Live.open(server, "not-a-token")).acked()
        # The session cookie signs in from the same origin, not from another site.
        cookie = {"Cookie": f"csdesk_session={agent.token}"}
        with pytest.raises(InvalidStatus):  # the handshake itself is refused
            await Live.open(server, headers={**cookie, "Origin": "https://evil.example"})
        own = await Live.open(
            server, headers={**cookie, "Origin": f"http://127.0.0.1:{server.port}"}
        )
        assert await own.acked()
        # One connection per user here: a second is refused while the first is open.
        assert not await (await Live.open(server, agent.token)).acked()
        # One subscription per connection here.
        await own.subscribe(QUEUE_CHANGED)
        second = await own.subscribe(QUEUE_CHANGED)
        refused = await own.receive()
        assert refused["id"] == second and refused["type"] == "error"
        assert "limit" in refused["payload"][0]["message"]
        await own.close()
        await asyncio.sleep(0.3)
        # Queries go over HTTP; an idle connection is closed.
        again = await Live.open(server, agent.token)
        assert await again.acked()
        await again.ws.send(
            json.dumps(
                {"id": "q", "type": "subscribe", "payload": {"query": "{ viewer { username } }"}}
            )
        )
        answer = await again.receive()
        assert answer["type"] == "error" or answer["payload"].get("errors"), answer
        assert await again.close_code(5.0) == 1000
        # Subscriptions do not run over HTTP.
        body = await agent.execute(QUEUE_CHANGED)
        assert body.get("errors")
    finally:
        await http.aclose()


async def test_a_socket_closes_when_its_login_ends(db: Database, start: Start) -> None:
    server = await start(CSDESK_WS_RECHECK_SECONDS="0.3")
    agent, http = await server.login("agent")
    try:
        live = await Live.open(server, agent.token)
        assert await live.acked()
        await live.subscribe(QUEUE_CHANGED)
        await agent.data("mutation { logout { ok } }")
        assert await live.close_code(5.0) == 4403
    finally:
        await http.aclose()


async def test_subscriptions_need_order_view(db: Database, start: Start) -> None:
    await make_user(db, "commenter", [Permission.COMMENT_ADD])
    async with httpx.AsyncClient() as http:  # only to hold the token made in the database
        holder = GraphQLClient(http)
        await sign_in(db, holder, "commenter")
    server = await start()
    live = await Live.open(server, holder.token)
    assert await live.acked()
    sid = await live.subscribe(QUEUE_CHANGED)
    refused = await live.receive()
    assert refused["id"] == sid
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    await live.close()


async def test_production_rules_apply_over_websocket(db: Database, start: Start) -> None:
    # Production refuses to start with known secrets: a secret of its own, no demo password.
    async with db.write() as s:
        await s.execute(update(User).values(password_hash=hash_password("not-the-demo-password-1")))
        await s.commit()
    server = await start(CSDESK_ENV="production", CSDESK_WEBHOOK_SECRET="a-secret-of-our-own")
    http = httpx.AsyncClient(base_url=server.base)
    agent = GraphQLClient(http)
    await agent.login("agent", "not-the-demo-password-1")
    try:
        live = await Live.open(server, agent.token)
        assert await live.acked()
        # Too deep or too costly: refused before running, as over HTTP.
        nested = "derivedOrders { " * 12 + "number" + " }" * 12
        deep = 'subscription { orderChanged(number: "100001") { order { ' + nested + " } } }"
        sid = await live.subscribe(deep)
        refused = await live.receive()
        assert refused["id"] == sid and refused["type"] == "error", refused
        assert refused["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        # Too many tokens: a document the server will not parse closes the socket (4400, the
        # protocol's answer to an unparseable document), with the reason.
        await live.subscribe(
            "subscription { postsalesQueueChanged { " + "orderNumber " * 5100 + "} }"
        )
        assert await live.close_code() == 4400
    finally:
        await http.aclose()


async def test_a_store_taken_away_mid_connection_stops_its_events(
    db: Database, start: Start
) -> None:
    server = await start(CSDESK_WS_RECHECK_SECONDS="0.2")
    async with db.read() as s:
        skus = await style_skus(s, 1)
    uk = await order_with(db, skus[:1], store="UK")
    agent, agent_http = await server.login("agent")
    admin, admin_http = await server.login("admin")
    try:
        live = await Live.open(server, agent.token)
        assert await live.acked()
        await live.subscribe(ORDER_CHANGED, {"n": uk.number})
        await comment(admin, uk.number, "seen")
        assert (await live.receive())["type"] == "next"
        async with db.write() as s:  # the agents' role loses the UK store
            role_id = await s.scalar(select(Role.id).where(Role.name == "CS Agent"))
            uk_id = await s.scalar(select(Store.id).where(Store.code == "UK"))
            await s.execute(
                delete(role_stores).where(
                    role_stores.c.role_id == role_id, role_stores.c.store_id == uk_id
                )
            )
            await s.commit()
        await asyncio.sleep(0.6)  # the connection reads its login again
        await comment(admin, uk.number, "no longer the agent's business")
        await live.nothing_for(1.0)
        await live.close()
    finally:
        await agent_http.aclose()
        await admin_http.aclose()


async def test_messages_are_text_frames_a_browser_client_parses(db: Database, start: Start) -> None:
    # graphql-ws in a browser parses only text frames: a binary frame arrives as a Blob and
    # the client closes with 4004 ("Message is missing the 'type' property") before it ever
    # subscribes, so no browser received a live update.
    server = await start()
    agent, http = await server.login("agent")
    try:
        live = await Live.open(server, agent.token)
        frame = await asyncio.wait_for(live.ws.recv(), 5)
        assert isinstance(frame, str), f"binary frame: {frame!r}"
        assert json.loads(frame)["type"] == "connection_ack"
        await live.subscribe(QUEUE_CHANGED)
        await live.ws.send(json.dumps({"type": "ping"}))
        pong = await asyncio.wait_for(live.ws.recv(), 5)
        assert isinstance(pong, str) and json.loads(pong)["type"] == "pong"
        await live.close()
    finally:
        await http.aclose()
