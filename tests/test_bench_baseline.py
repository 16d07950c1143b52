"""The benchmark's raw baseline (bench/raw) answers the queue, detail and search cases byte for
byte like csdesk, for a store-scoped agent and for a supervisor in another time zone. Equality
only: the figures come from ``make bench``, never from a test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from bench import cases, floor
from bench.raw.app import RawApp
from bench.raw.render import gid
from bench.runner import ask, check, deep_cursor, login
from core.db import Database
from csdesk.app import create_app
from tests.conftest import SEED_ORDERS, make_settings

RETRY = (cases.OPERATIONS / "RefundRetry.graphql").read_text()
SHIPPING_UPDATE = (cases.OPERATIONS / "OrderShippingUpdate.graphql").read_text()


@asynccontextmanager
async def _apps(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, RawApp]]:
    # Production mode: no extensions.sqlStatements, exactly what the benchmark compares.
    app = create_app(make_settings(db, environment="production"), database=db)
    raw = RawApp(db.engine.url.render_as_string(hide_password=False), pool_size=2)
    await raw.db.open()
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=raw), base_url="http://r") as r,
        ):
            yield c, r, raw
    finally:
        await raw.db.close()


@pytest.mark.parametrize("user", ["agent", "supervisor"])
async def test_raw_baseline_answers_like_csdesk(db: Database, user: str) -> None:
    async with _apps(db) as (c, r, raw):
        token = await login(c, user, user)
        fixtures = await cases.fixtures(raw.db, user, SEED_ORDERS)
        assert fixtures.rich, "the seed holds an order with actions and a derived order"
        read = cases.read_cases(fixtures, await deep_cursor(c, token, 2, first=20))
        groups = {case.group for case in read}
        assert {"queue", "detail", "search"} <= groups
        differ = []
        for case in read:
            found = await check(c, r, token, case)
            if not found.equal:
                differ.append(f"{case.name}: {found.detail}")
        assert not differ, "\n".join(differ)


def _shapes(order: dict[str, Any] | None) -> set[str]:
    """What of the detail page an answer shows (to prove the comparison covered it)."""
    if order is None:
        return {"no order"}
    seen = set()
    if order["derivedOrders"]:
        seen.add("derived order")
    if order["shipments"]:
        seen.add("parcel")
    if any(line["deliveredAt"] for line in order["lines"]):
        seen.add("delivered line")
    for refund in order["refunds"]:
        seen.add(f"refund {refund['kind']} {refund['status']}")
        if refund["line"] is None:
            seen.add("refund of the shipping")
        if refund["retryOf"] is not None:
            seen.add("retried refund")
    for action in order["postsalesActions"]:
        if action["refunds"]:
            seen.add("action refund")
        for link in action["actionLines"]:
            if link["receivedAt"]:
                seen.add("received line")
            if link["disposition"]:
                seen.add("disposition")
    for entry in order["history"]:
        d = entry["details"]
        seen |= {f"details {k}" for k, v in d.items() if v not in (None, []) and k != "lineNumbers"}
    return seen


@pytest.mark.parametrize("user", ["agent", "supervisor"])
async def test_raw_detail_page_answers_like_csdesk_on_every_kind_of_order(
    db: Database, user: str
) -> None:
    """Beyond the benchmark's one rich order: the detail page of every order with a post-sales
    action, a comment or an edit, in the stores the user sees and beyond them, after a failed
    refund was sent again and a shipping method changed (what the seed does not hold)."""
    async with _apps(db) as (c, r, raw):
        supervisor = await login(c, "supervisor", "supervisor")
        agent_stores = (await cases.fixtures(raw.db, "agent", SEED_ORDERS)).store_ids
        marks = "(" + ", ".join("?" * len(agent_stores)) + ")"
        async with raw.db.connection() as conn:
            failed = await conn.fetch(
                'SELECT f.id FROM refund f JOIN "order" o ON o.id = f.order_id '
                f"WHERE f.status = 'FAILED' AND o.store_id IN {marks} ORDER BY f.id LIMIT 1",
                agent_stores,
            )
            review = await conn.fetch(
                'SELECT id, shipping_method FROM "order" '
                f"WHERE status = 'ORDER_REVIEW' AND store_id IN {marks} ORDER BY id LIMIT 1",
                agent_stores,
            )
        assert failed and review, "the seed holds a failed refund and an order in review"
        retried = await ask(
            c, supervisor, {"query": RETRY, "variables": {"refundId": failed[0][0]}}
        )
        assert b'"RefundRetrySuccess"' in retried.body, retried.body
        method = "Express" if review[0][1] != "Express" else "Standard"
        edit = {"orderId": gid("Order", review[0][0]), "shippingMethod": method}
        edited = await ask(c, supervisor, {"query": SHIPPING_UPDATE, "variables": edit})
        assert b'"OrderShippingUpdateSuccess"' in edited.body, edited.body

        token = await login(c, user, user)
        async with raw.db.connection() as conn:
            rows = await conn.fetch(
                'SELECT o.number FROM "order" o WHERE o.id = ?'
                " OR EXISTS (SELECT 1 FROM postsales_action a WHERE a.order_id = o.id)"
                " OR EXISTS (SELECT 1 FROM history_entry h WHERE h.order_id = o.id"
                " AND h.kind = 'COMMENT') ORDER BY o.id",
                (review[0][0],),
            )
        numbers = [row[0] for row in rows] + ["999999999"]
        differ, seen = [], set()
        for number in numbers:
            case = cases.Case(f"order detail {number}", "detail", cases.DETAIL, {"number": number})
            found = await check(c, r, token, case)
            if not found.equal:
                differ.append(f"{case.name}: {found.detail}")
            seen |= _shapes(json.loads(found.csdesk.body)["data"]["order"])
        assert not differ, "\n".join(differ)
        covered = {
            "no order",
            "derived order",
            "parcel",
            "delivered line",
            "refund APPEASEMENT RELEASED",
            "refund APPEASEMENT FAILED",
            "refund APPEASEMENT REQUESTED",
            "refund RETURN RELEASED",
            "refund VOID RELEASED",
            "refund of the shipping",
            "retried refund",
            "action refund",
            "received line",
            "disposition",
            "details actionId",
            "details net",
            "details gross",
            "details reason",
            "details failureReason",
            "details fromStatus",
            "details toStatus",
            "details tracking",
            "details changes",
            "details dispositions",
            "details commentKind",
            "details ticketReference",
        }
        assert covered <= seen, sorted(covered - seen)


async def test_raw_telephone_search_matches_the_address_phones_like_csdesk(db: Database) -> None:
    """csdesk's telephone search also matches the billing and shipping addresses' phones; the
    baseline once compared the customer's phone only (their counts differed at 1M orders)."""
    async with _apps(db) as (c, r, raw):
        token = await login(c, "agent", "agent")
        store_ids = (await cases.fixtures(raw.db, "agent", SEED_ORDERS)).store_ids
        async with raw.db.connection() as conn:
            found = await conn.fetch(
                'SELECT id FROM "order" WHERE store_id = ? ORDER BY id LIMIT 2', (store_ids[0],)
            )
            # A number nobody else has, on one order's billing address and another's
            # shipping address (not on any customer).
            await conn.execute(
                "UPDATE \"order\" SET billing_phone = '+44 7999 000111', "
                "billing_phone_key = '7999000111' WHERE id = ?",
                (found[0][0],),
            )
            await conn.execute(
                "UPDATE \"order\" SET shipping_phone = '+44 7999 000111', "
                "shipping_phone_key = '7999000111' WHERE id = ?",
                (found[1][0],),
            )
        case = cases.Case(
            "search telephone on the addresses",
            "search",
            cases.SEARCH,
            {"filter": {"telephone": "07999 000111"}, "first": 20},
        )
        result = await check(c, r, token, case)
        assert result.equal, result.detail
        assert json.loads(result.csdesk.body)["data"]["orders"]["totalCount"] == 2


async def test_the_floor_executes_the_pages_over_csdesks_answers(db: Database) -> None:
    """bench/floor.py: graphql-core alone gives each page's answer back from its JSON (so it
    times the same work), refuses an answer it does not reproduce, and the ceiling it derives
    is below both of its parts."""
    async with _apps(db) as (c, _, raw):
        token = await login(c, "agent", "agent")
        fixtures = await cases.fixtures(raw.db, "agent", SEED_ORDERS)
        pages = [
            case for case in cases.read_cases(fixtures, None) if case.group in ("queue", "detail")
        ]
        assert {case.group for case in pages} == {"queue", "detail"}
        for case in pages:
            answer = (await ask(c, token, case.body())).body
            assert floor.graphql_alone_ms(case, answer, repeat=3, warmup=0) > 0
        tampered = json.loads(answer)
        tampered["data"]["extra"] = 1
        with pytest.raises(ValueError, match="does not give it back"):
            floor.graphql_alone_ms(pages[-1], json.dumps(tampered).encode(), repeat=1, warmup=0)
        viewer = await ask(c, token, floor.VIEWER.body())
        assert json.loads(viewer.body)["data"] == {"viewer": {"username": "agent"}}
    assert floor.ceiling(400.0, 2.5) == 200.0
    assert floor.ceiling(0.0, 2.5) is None
