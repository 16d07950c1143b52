"""The warehouse's fulfilment events: release, partial and whole shipments with tracking,
deliveries; exchange and reshipment orders alike; out-of-order events refused, recorded and
changing nothing; each idempotent on its event id; only for INTEGRATION."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.db import Database
from models import HistoryEntry, Line, Order, Shipment
from models.enums import OrderStatus, OrderType
from tests.action_helpers import snapshot
from tests.conftest import GraphQLClient
from tests.factories import make_order
from tests.test_integrations import integration_token

ERRORS = """... on UserError { code message field }
  ... on OrderStatusInvalid { status } ... on LineNotEligible { lineId status }"""
RELEASE = """mutation($i: WarehouseOrderReleasedInput!) { warehouseOrderReleased(input: $i) {
  __typename ... on WarehouseOrderReleasedSuccess { order { number status } }
  ... on UserError { code message field } ... on OrderStatusInvalid { status } } }"""
SHIP = f"""mutation($i: WarehouseLinesShippedInput!) {{ warehouseLinesShipped(input: $i) {{
  __typename ... on WarehouseLinesShippedSuccess {{
    order {{ status lines {{ number status }} }}
    shipment {{ carrier trackingNumber trackingUrl shippedAt deliveredAt lines {{ number }} }} }}
  {ERRORS} }} }}"""
DELIVER = f"""mutation($i: WarehouseLinesDeliveredInput!) {{ warehouseLinesDelivered(input: $i) {{
  __typename ... on WarehouseLinesDeliveredSuccess {{
    order {{ status lines {{ number status deliveredAt }}
      shipments {{ trackingNumber deliveredAt lines {{ number }} }} }} }}
  {ERRORS} }} }}"""
HISTORY = """query($n: String!) { order(number: $n) { status
  history { kind message actor { kind displayName }
            details { fromStatus toStatus lineNumbers eventId
                      tracking { carrier trackingNumber trackingUrl } } } } }"""


async def order_in(db: Database, status: OrderStatus, lines: int = 3, **kw: Any) -> Order:
    async with db.write() as s:
        order = await make_order(s, status=status, lines=lines, **kw)
        await s.commit()
    return order


def ship_input(number: str, lines: list[int], event: str, tracking: str = "TRK1") -> dict[str, Any]:
    return {
        "eventId": event,
        "orderNumber": number,
        "lineNumbers": lines,
        "carrier": "DHL",
        "trackingNumber": tracking,
        "trackingUrl": f"https://track.example/{tracking}",
        "shippedAt": "2026-11-20T08:00:00+01:00",
    }


def deliver_input(number: str, lines: list[int], event: str) -> dict[str, Any]:
    return {
        "eventId": event,
        "orderNumber": number,
        "lineNumbers": lines,
        "deliveredAt": "2026-11-22T14:00:00Z",
    }


async def send(gql: GraphQLClient, token: str, op: str, i: dict[str, Any]) -> dict[str, Any]:
    body = await gql.execute(op, {"i": i}, token=token)
    assert not body.get("errors"), body["errors"]
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def test_partial_shipments_then_deliveries_move_lines_and_the_order(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.ORDER_REVIEW)
    token = await integration_token(db)
    released = await send(gql, token, RELEASE, {"eventId": "r-1", "orderNumber": order.number})
    assert released["order"]["status"] == "RELEASED", released

    first = await send(gql, token, SHIP, ship_input(order.number, [1, 2], "s-1", "TRK1"))
    assert first["__typename"] == "WarehouseLinesShippedSuccess", first
    assert first["order"]["status"] == "RELEASED"  # line 3 is still at the warehouse
    assert [ln["status"] for ln in first["order"]["lines"]] == ["SHIPPED", "SHIPPED", "ORDERED"]
    assert first["shipment"]["shippedAt"].startswith("2026-11-20T07:00:00")  # viewer: UTC
    assert first["shipment"]["deliveredAt"] is None
    second = await send(gql, token, SHIP, ship_input(order.number, [3], "s-2", "TRK2"))
    assert second["order"]["status"] == "SHIPPED"

    partly = await send(gql, token, DELIVER, deliver_input(order.number, [1, 3], "d-1"))
    assert partly["order"]["status"] == "SHIPPED"  # line 2 is still in transit
    parcels = {p["trackingNumber"]: p for p in partly["order"]["shipments"]}
    assert parcels["TRK1"]["deliveredAt"] is None  # line 2 of the parcel is not delivered
    assert parcels["TRK2"]["deliveredAt"].startswith("2026-11-22T14:00:00")
    done = await send(gql, token, DELIVER, deliver_input(order.number, [2], "d-2"))
    assert done["order"]["status"] == "DELIVERED"
    assert {
        p["trackingNumber"]: p["deliveredAt"] is not None for p in done["order"]["shipments"]
    } == {
        "TRK1": True,
        "TRK2": True,
    }
    assert all(ln["deliveredAt"] for ln in done["order"]["lines"])

    await gql.login("agent")
    seen = (await gql.data(HISTORY, {"n": order.number}))["order"]
    changes = [
        (h["details"]["fromStatus"], h["details"]["toStatus"])
        for h in seen["history"]
        if h["kind"] == "STATUS_CHANGED"
    ]
    assert changes == [
        ("ORDER_REVIEW", "RELEASED"),
        ("RELEASED", "SHIPPED"),
        ("SHIPPED", "DELIVERED"),
    ]
    warehouse = [h for h in seen["history"] if h["kind"] in ("STATUS_CHANGED", "WAREHOUSE")]
    assert {h["actor"]["kind"] for h in warehouse} == {"INTEGRATION"}
    shipped = [h for h in seen["history"] if h["details"]["tracking"]]
    assert [h["details"]["lineNumbers"] for h in shipped] == [[1, 2], [3]]
    assert shipped[0]["details"]["tracking"] == {
        "carrier": "DHL",
        "trackingNumber": "TRK1",
        "trackingUrl": "https://track.example/TRK1",
    }
    assert shipped[0]["details"]["eventId"] == "s-1"


async def test_lines_reported_with_the_same_tracking_join_one_parcel(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.RELEASED, lines=2)
    token = await integration_token(db)
    await send(gql, token, SHIP, ship_input(order.number, [1], "p-1", "SAME"))
    both = await send(gql, token, SHIP, ship_input(order.number, [2], "p-2", "SAME"))
    assert [ln["number"] for ln in both["shipment"]["lines"]] == [1, 2]
    async with db.read() as s:
        parcels = await s.scalar(
            select(func.count()).select_from(Shipment).where(Shipment.order_id == order.id)
        )
    assert parcels == 1


async def test_events_out_of_order_are_refused_recorded_and_change_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.ORDER_REVIEW, lines=2)
    token = await integration_token(db)
    before = await snapshot(db)
    early = await send(gql, token, SHIP, ship_input(order.number, [1], "early-1"))
    assert (early["__typename"], early["status"]) == ("OrderStatusInvalid", "ORDER_REVIEW")
    assert early["field"] == ["input", "orderNumber"]
    after = await snapshot(db)
    assert after["history"] == before["history"] + 1  # the refusal, noted
    assert {**after, "history": 0} == {**before, "history": 0}
    assert await _count(db, Shipment, Shipment.order_id == order.id) == 0
    await send(gql, token, RELEASE, {"eventId": "ok-1", "orderNumber": order.number})
    undelivered = await send(gql, token, DELIVER, deliver_input(order.number, [1], "early-2"))
    assert (undelivered["__typename"], undelivered["status"]) == ("LineNotEligible", "ORDERED")
    twice = await send(gql, token, RELEASE, {"eventId": "again-1", "orderNumber": order.number})
    assert (twice["__typename"], twice["status"]) == ("OrderStatusInvalid", "RELEASED")
    await send(gql, token, SHIP, ship_input(order.number, [1], "ok-2"))
    shipped_again = await send(gql, token, SHIP, ship_input(order.number, [1], "again-2", "T9"))
    assert (shipped_again["__typename"], shipped_again["status"]) == ("LineNotEligible", "SHIPPED")

    # Refused events are in the history once each, even when the warehouse retries them.
    retried = await send(gql, token, SHIP, ship_input(order.number, [1], "again-2", "T9"))
    assert retried["__typename"] == "LineNotEligible"
    async with db.read() as s:
        refused = list(
            await s.scalars(
                select(HistoryEntry.message).where(
                    HistoryEntry.order_id == order.id, HistoryEntry.message.like("%refused%")
                )
            )
        )
    assert len(refused) == 4, refused
    assert any("early-1" in m and "not released" in m for m in refused)
    # A refused event id is not used up: once the order is ready, the same event goes through.
    async with db.write() as s:
        fresh = await make_order(s, status=OrderStatus.ORDER_REVIEW, lines=1)
        await s.commit()
    held = await send(gql, token, SHIP, ship_input(fresh.number, [1], "later-1"))
    assert held["__typename"] == "OrderStatusInvalid"
    await send(gql, token, RELEASE, {"eventId": "later-r", "orderNumber": fresh.number})
    now = await send(gql, token, SHIP, ship_input(fresh.number, [1], "later-1"))
    assert now["__typename"] == "WarehouseLinesShippedSuccess", now
    async with db.read() as s:
        statuses = list(await s.scalars(select(Line.status).where(Line.order_id == order.id)))
    assert [x.value for x in statuses] == ["SHIPPED", "ORDERED"]


async def test_a_repeated_event_changes_nothing_and_other_content_is_refused(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.RELEASED, lines=1)
    token = await integration_token(db)
    first = await send(gql, token, SHIP, ship_input(order.number, [1], "dup-1"))
    history = await _count(db, HistoryEntry, HistoryEntry.order_id == order.id)
    again = await send(gql, token, SHIP, ship_input(order.number, [1], "dup-1"))
    assert again == first
    assert await _count(db, HistoryEntry, HistoryEntry.order_id == order.id) == history
    other = await send(gql, token, SHIP, ship_input(order.number, [1], "dup-1", "OTHER"))
    assert other["code"] == "EVENT_ID_REUSED"


async def test_bad_input_gets_typed_errors_and_changes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.RELEASED, lines=2)
    token = await integration_token(db)
    before = await snapshot(db)
    cases: list[tuple[dict[str, Any], str, list[str]]] = [
        ({"orderNumber": "999999"}, "NOT_FOUND", ["input", "orderNumber"]),
        ({"lineNumbers": []}, "VALIDATION_FAILED", ["input", "lineNumbers"]),
        ({"lineNumbers": [1, 1]}, "VALIDATION_FAILED", ["input", "lineNumbers"]),
        ({"lineNumbers": [7]}, "NOT_FOUND", ["input", "lineNumbers"]),
        ({"carrier": "  "}, "VALIDATION_FAILED", ["input", "carrier"]),
        ({"trackingNumber": "x" * 65}, "VALIDATION_FAILED", ["input", "trackingNumber"]),
        ({"trackingUrl": "javascript:alert(1)"}, "VALIDATION_FAILED", ["input", "trackingUrl"]),
        ({"shippedAt": "2019-01-01T00:00:00Z"}, "VALIDATION_FAILED", ["input", "shippedAt"]),
        ({"shippedAt": "2099-01-01T00:00:00Z"}, "VALIDATION_FAILED", ["input", "shippedAt"]),
    ]
    for n, (change, code, field) in enumerate(cases):
        result = await send(
            gql, token, SHIP, {**ship_input(order.number, [1], f"bad-{n}"), **change}
        )
        assert (result.get("code"), result.get("field")) == (code, field), (change, result)
    assert await snapshot(db) == before
    assert await _count(db, Shipment, Shipment.order_id == order.id) == 0


async def test_exchange_and_reshipment_orders_go_through_the_same_events(
    db: Database, gql: GraphQLClient
) -> None:
    token = await integration_token(db)
    for kind in (OrderType.EXCHANGE, OrderType.RESHIPMENT):
        async with db.write() as s:
            origin = await make_order(s, status=OrderStatus.DELIVERED, lines=1)
            suffix = "E1" if kind is OrderType.EXCHANGE else "R1"
            derived = await make_order(
                s,
                status=OrderStatus.ORDER_REVIEW,
                lines=1,
                order_type=kind,
                origin_order_id=origin.id,
                number=f"{origin.number}-{suffix}",
            )
            await s.commit()
        number = derived.number
        await send(gql, token, RELEASE, {"eventId": f"{number}-r", "orderNumber": number})
        await send(gql, token, SHIP, ship_input(number, [1], f"{number}-s"))
        done = await send(gql, token, DELIVER, deliver_input(number, [1], f"{number}-d"))
        assert done["order"]["status"] == "DELIVERED", (kind, done)


async def test_only_integrations_report_fulfilment(db: Database, gql: GraphQLClient) -> None:
    order = await order_in(db, OrderStatus.ORDER_REVIEW, lines=1)
    await gql.login("admin")  # every permission but INTEGRATION
    body = await gql.execute(RELEASE, {"i": {"eventId": "no-1", "orderNumber": order.number}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with db.read() as s:
        status = await s.scalar(select(Order.status).where(Order.id == order.id))
    assert status is OrderStatus.ORDER_REVIEW


async def test_a_released_order_can_no_longer_be_cancelled(
    db: Database, gql: GraphQLClient
) -> None:
    order = await order_in(db, OrderStatus.ORDER_REVIEW, lines=1)
    token = await integration_token(db)
    await send(gql, token, RELEASE, {"eventId": "rel-c", "orderNumber": order.number})
    await gql.login("agent")
    q = """query($n: String!) { order(number: $n) {
      id availableActions { kind allowed reason } } }"""
    seen = (await gql.data(q, {"n": order.number}))["order"]
    cancel = next(a for a in seen["availableActions"] if a["kind"] == "CANCEL")
    assert (cancel["allowed"], cancel["reason"]) == (False, "ORDER_STATUS")
    body = await gql.data(
        """mutation($i: OrderCancelInput!) { orderCancel(input: $i) { __typename
          ... on OrderStatusInvalid { status } } }""",
        {"i": {"orderId": seen["id"], "reason": "CUSTOMER_REQUEST"}},
    )
    assert body["orderCancel"] == {"__typename": "OrderStatusInvalid", "status": "RELEASED"}


async def _count(db: Database, model: Any, *where: Any) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)
