"""The demo's warehouse simulator: new orders are released, shipped and delivered one step per
delay, through the warehouse events' code; seeded orders and orders being edited are left
alone; the outbox worker runs it when it is on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from core.db import Database
from models import HistoryEntry, Order, Shipment
from models.base import utcnow
from models.enums import ActorKind, OrderStatus
from resolvers import warehouse_simulator
from tests.conftest import GraphQLClient
from tests.test_integrations import integration_token, storefront_record
from tests.test_worker import settings_for
from worker import runner as worker

IMPORT = """mutation($i: OrderImportInput!) { orderImport(input: $i) {
  ... on OrderImportSuccess { order { number } } } }"""


async def imported(db: Database, gql: GraphQLClient, reference: str) -> str:
    token = await integration_token(db)
    body = await gql.execute(
        IMPORT, {"i": {"eventId": reference, "order": storefront_record(reference)}}, token=token
    )
    return str(body["data"]["orderImport"]["order"]["number"])


async def status_of(db: Database, number: str) -> OrderStatus:
    async with db.read() as s:
        status = await s.scalar(select(Order.status).where(Order.number == number))
    assert status is not None
    return status


async def test_a_new_order_is_released_shipped_and_delivered_one_step_per_delay(
    db: Database, gql: GraphQLClient
) -> None:
    number = await imported(db, gql, "WEB-UK-SIM001")
    async with db.read() as s:
        seeded = await s.scalar(
            select(Order.number).where(Order.status == OrderStatus.ORDER_REVIEW).limit(1)
        )
    assert seeded is not None and seeded != number
    start = utcnow()
    # Not yet: the order changed less than a delay ago.
    assert await warehouse_simulator.step(db, delay_seconds=20, now=start) == 0
    assert await status_of(db, number) is OrderStatus.ORDER_REVIEW
    seen = []
    for k in (1, 2, 3, 4):
        await warehouse_simulator.step(
            db, delay_seconds=20, now=start + dt.timedelta(seconds=25 * k)
        )
        seen.append(await status_of(db, number))
    assert seen == [
        OrderStatus.RELEASED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.DELIVERED,
    ]
    async with db.read() as s:
        order = (await s.scalars(select(Order).where(Order.number == number))).one()
        parcel = (await s.scalars(select(Shipment).where(Shipment.order_id == order.id))).one()
        actors = set(
            await s.execute(
                select(HistoryEntry.actor_kind, HistoryEntry.actor_label).where(
                    HistoryEntry.order_id == order.id, HistoryEntry.kind == "STATUS_CHANGED"
                )
            )
        )
    assert parcel.carrier == "Royal Mail" and parcel.tracking_number.startswith("SIM")
    assert parcel.delivered_at is not None
    assert actors == {(ActorKind.INTEGRATION, "warehouse simulator")}
    assert await status_of(db, seeded) is OrderStatus.ORDER_REVIEW  # the demo's history stays


async def test_the_worker_runs_the_simulator_when_it_is_on(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    number = await imported(db, gql, "WEB-UK-SIM002")
    off = settings_for(db, tmp_path)
    await worker.run_once(db, off)
    assert await status_of(db, number) is OrderStatus.ORDER_REVIEW
    on = settings_for(db, tmp_path, warehouse_simulator=True, warehouse_simulator_delay_seconds=0)
    for _ in range(3):
        await worker.run_once(db, on)
    assert await status_of(db, number) is OrderStatus.DELIVERED


async def test_a_cancelled_new_order_is_left_alone(db: Database, gql: GraphQLClient) -> None:
    number = await imported(db, gql, "WEB-UK-SIM003")
    await gql.login("agent")
    q = "query($n: String!) { order(number: $n) { id } }"
    order_id = (await gql.data(q, {"n": number}))["order"]["id"]
    cancelled = await gql.data(
        """mutation($i: OrderCancelInput!) { orderCancel(input: $i) { __typename } }""",
        {"i": {"orderId": order_id, "reason": "CUSTOMER_REQUEST"}},
    )
    assert cancelled["orderCancel"]["__typename"] == "OrderCancelSuccess"
    later = utcnow() + dt.timedelta(minutes=5)
    assert await warehouse_simulator.step(db, delay_seconds=20, now=later) == 0
    assert await status_of(db, number) is OrderStatus.CANCELLED
