"""The order detail page: everything the guide shows, in few statements, in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db import Database
from models import HistoryEntry, Order, PostsalesAction
from models.enums import ActionKind, OrderType
from tests.conftest import GraphQLClient

DETAIL = (
    Path(__file__).parents[1] / "frontend-contract/operations/OrderDetail.graphql"
).read_text()


async def _busiest_order(db: Database, kind: ActionKind) -> Order:
    """A seeded order with an action of ``kind`` and derived orders where there are some."""
    async with db.read() as s:
        rows = (
            await s.execute(
                select(Order)
                .join(PostsalesAction, PostsalesAction.order_id == Order.id)
                .where(PostsalesAction.kind == kind)
                .order_by(Order.id)
            )
        ).scalars()
        return next(iter(rows))


async def detail(gql: GraphQLClient, number: str) -> dict[str, Any]:
    body = await gql.execute(DETAIL, {"number": number})
    assert not body.get("errors"), body
    body["data"]["order"]["_sql"] = body["extensions"]["sqlStatements"]
    result: dict[str, Any] = body["data"]["order"]
    return result


async def test_detail_shows_the_whole_order_in_at_most_8_statements(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("admin")
    for kind in (ActionKind.EXCHANGE, ActionKind.APPEASEMENT, ActionKind.RETURN):
        order = await _busiest_order(db, kind)
        data = await detail(gql, order.number)
        assert data["number"] == order.number
        assert data["_sql"] <= 8, (kind, data["_sql"])
        assert data["lines"] and all(line["sku"] for line in data["lines"])
        assert data["postsalesActions"] and data["history"]
        assert data["history"][0]["kind"] == "ORDER_PLACED"
        ats = [dt.datetime.fromisoformat(h["at"]) for h in data["history"]]
        assert ats == sorted(ats)
        for line in data["lines"]:
            net = Decimal(line["netAmount"]["amount"])
            assert (
                Decimal(line["originalPrice"]["amount"]) - Decimal(line["discount"]["amount"])
                == net
            )
            assert net + Decimal(line["tax"]["amount"]) == Decimal(line["total"]["amount"])
            assert Decimal(0) <= Decimal(line["refundableAmount"]["amount"]) <= net
        if kind is ActionKind.EXCHANGE:
            derived = [d for d in data["derivedOrders"] if d["orderType"] == "EXCHANGE"]
            assert derived and derived[0]["number"].startswith(order.number + "-E")
            exchange = await detail(gql, derived[0]["number"])
            assert exchange["originOrder"]["number"] == order.number
            assert exchange["orderType"] == "EXCHANGE"
            assert exchange["_sql"] <= 8


async def test_detail_totals_add_up(db: Database, gql: GraphQLClient) -> None:
    await gql.login("supervisor")
    async with db.read() as s:
        order = (await s.scalars(select(Order).where(Order.order_type == OrderType.NORMAL))).first()
    assert order is not None
    data = await detail(gql, order.number)

    def amount(x: dict[str, str]) -> Decimal:
        return Decimal(x["amount"])

    lines = data["lines"]
    assert amount(data["subtotal"]) == sum(amount(x["originalPrice"]) for x in lines)
    assert amount(data["tax"]) == sum(amount(x["tax"]) for x in lines)
    assert amount(data["grandTotal"]) == (
        amount(data["subtotal"])
        - amount(data["discount"])
        + amount(data["tax"])
        + amount(data["shipping"])
    )


async def test_times_render_in_the_viewers_zone(db: Database, gql: GraphQLClient) -> None:
    async with db.read() as s:
        order = (await s.scalars(select(Order).order_by(Order.id))).first()
        assert order is not None
        entry = (
            await s.scalars(select(HistoryEntry).where(HistoryEntry.order_id == order.id))
        ).first()
    assert order is not None and entry is not None
    await gql.login("supervisor")  # Europe/Berlin
    data = await detail(gql, order.number)
    shown = dt.datetime.fromisoformat(data["purchasedAt"])
    assert shown == order.purchased_at
    berlin = order.purchased_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert shown.utcoffset() == berlin.utcoffset()
    assert data["purchasedAt"] == berlin.isoformat()


async def test_order_by_id_and_node_agree_and_unknown_is_null(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("admin")
    data = await detail(gql, "100001")
    gid = data["id"]
    by_id = await gql.data("query($id: ID!) { order(id: $id) { number } }", {"id": gid})
    assert by_id["order"]["number"] == "100001"
    node = await gql.data(
        "query($id: ID!) { node(id: $id) { id ... on Order { number } } }", {"id": gid}
    )
    assert node["node"] == {"id": gid, "number": "100001"}
    line_id = data["lines"][0]["id"]
    line = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Line { number order { number } } } }",
        {"id": line_id},
    )
    assert line["node"]["order"]["number"] == "100001"
    for missing in ("999999", "nonsense"):
        assert (await gql.data("query($n: String!) { order(number: $n) { id } }", {"n": missing}))[
            "order"
        ] is None
    assert (await gql.data('{ node(id: "Tm9wZToxMjM=") { id } }'))["node"] is None
    assert (await gql.data('{ node(id: "!!!") { id } }'))["node"] is None


async def test_history_last_gives_the_newest_entries_oldest_first(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("admin")
    order = await _busiest_order(db, ActionKind.RETURN)
    q = """query($n: String!) {
      order(number: $n) { all: history { id } last2: history(last: 2) { id } } }"""
    data = (await gql.data(q, {"n": order.number}))["order"]
    assert len(data["all"]) >= 3
    assert data["last2"] == data["all"][-2:]


async def test_history_pages_through_a_long_timeline(db: Database, gql: GraphQLClient) -> None:
    await gql.login("admin")
    order = await _busiest_order(db, ActionKind.RETURN)
    q = """query($n: String!, $after: ID) { order(number: $n) {
      all: history { id } page: history(first: 2, after: $after) { id } } }"""
    data = (await gql.data(q, {"n": order.number}))["order"]
    everything = [e["id"] for e in data["all"]]
    walked: list[str] = []
    after = None
    while True:
        page = (await gql.data(q, {"n": order.number, "after": after}))["order"]["page"]
        if not page:
            break
        walked.extend(e["id"] for e in page)
        after = page[-1]["id"]
    assert walked == everything
    bad = await gql.execute(
        "query($n: String!) { order(number: $n) { history(first: 0) { id } } }",
        {"n": order.number},
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_absurd_ids_are_not_found(gql: GraphQLClient) -> None:
    from strawberry.relay import to_base64

    await gql.login("admin")
    huge = "9" * 30
    for type_name in ("Order", "Line", "PostsalesAction"):
        gid = to_base64(type_name, huge)
        assert (await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": gid}))[
            "node"
        ] is None
    body = await gql.execute(
        'mutation($l: ID!) { appeasementCreate(input: {lineId: $l, amount: "1", '
        'reason: "GOODWILL"}) { __typename } }',
        {"l": to_base64("Line", huge)},
    )
    assert body["data"]["appeasementCreate"]["__typename"] == "NotFound"
