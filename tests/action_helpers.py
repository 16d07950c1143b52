"""Shared by the exchange, reshipment, cancellation and availableActions tests: operations,
orders made to measure with chosen SKUs and statuses, stock, and a snapshot of everything an
action may write (to show that a refused one wrote nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.sessions import issue_token, load_viewer
from auth.viewer import Viewer
from core.db import Database
from models import (
    HistoryEntry,
    IdempotencyRecord,
    Inventory,
    Line,
    Order,
    OutboxMessage,
    PostsalesAction,
    PostsalesActionLine,
    Refund,
    Role,
    Sku,
    Store,
    User,
)
from models.enums import LineStatus, OrderStatus, Permission, StoreAccess, TokenKind
from schema.ids import encode as encode_id
from tests.conftest import GraphQLClient
from tests.factories import make_order

ERRORS = """
  ... on UserError { code message field }
  ... on LineNotEligible { lineId status }
  ... on VersionConflict { currentVersion }
"""
STOCK_ERRORS = "... on OutOfStock { skuCode lineId }"
ORDER_FIELDS = """id number status orderType version paymentMethod
  amountDue { amount currency } grandTotal { amount currency }
  store { code } customer { id name email }
  shippingMethod shippingAddress { name line1 line2 city region postalCode country phone }
  billingAddress { name line1 city postalCode country }
  lines { id number sku status netAmount { amount } tax { amount } total { amount }
          refundableAmount { amount } }
  originOrder { number } derivedOrders { number orderType }
  history { kind message actor { username displayName } relatedOrder { number } }
  warnings { code message lineId actionId }"""

EXCHANGE = f"""mutation($input: ExchangeCreateInput!) {{ exchangeCreate(input: $input) {{
  __typename
  ... on ExchangeCreateSuccess {{
    order {{ {ORDER_FIELDS} }}
    action {{ id kind status comment createdBy {{ username }} resultingOrder {{ number }}
              lines {{ id number }} }}
    newOrder {{ {ORDER_FIELDS} }} }}
  {ERRORS} {STOCK_ERRORS} ... on SkuNotEligible {{ lineId skuCode }} }} }}"""

RESHIP = f"""mutation($input: ReshipmentCreateInput!) {{ reshipmentCreate(input: $input) {{
  __typename
  ... on ReshipmentCreateSuccess {{
    order {{ {ORDER_FIELDS} }}
    action {{ id kind status comment resultingOrder {{ number }} lines {{ id number }} }}
    newOrder {{ {ORDER_FIELDS} }} }}
  {ERRORS} {STOCK_ERRORS} }} }}"""

CANCEL = f"""mutation($input: OrderCancelInput!) {{ orderCancel(input: $input) {{
  __typename
  ... on OrderCancelSuccess {{
    order {{ {ORDER_FIELDS} }}
    action {{ id kind status amount {{ amount currency }} comment lines {{ id number }} }} }}
  {ERRORS} ... on OrderStatusInvalid {{ status }} }} }}"""

DETAIL = f"""query($n: String!) {{ order(number: $n) {{ {ORDER_FIELDS}
  availableActions {{ kind allowed reason permission lineIds actionIds }} }} }}"""


def gid(type_name: str, row_id: int) -> str:
    return encode_id(type_name, row_id)


async def style_skus(session: AsyncSession, minimum: int = 3) -> list[Sku]:
    """The SKUs of the first style with at least ``minimum`` children, by id."""
    style_id = await session.scalar(
        select(Sku.style_id)
        .group_by(Sku.style_id)
        .having(func.count() >= minimum)
        .order_by(Sku.style_id)
        .limit(1)
    )
    return list(await session.scalars(select(Sku).where(Sku.style_id == style_id).order_by(Sku.id)))


async def other_style_sku(session: AsyncSession, sku: Sku) -> Sku:
    found = await session.scalar(
        select(Sku).where(Sku.style_id != sku.style_id).order_by(Sku.id).limit(1)
    )
    assert found is not None
    return found


async def set_stock(session: AsyncSession, store: str, sku_id: int, units: int) -> None:
    store_id = await session.scalar(select(Store.id).where(Store.code == store))
    assert store_id is not None
    done = await session.execute(
        update(Inventory)
        .where(Inventory.store_id == store_id, Inventory.sku_id == sku_id)
        .values(available=units)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.add(Inventory(store_id=store_id, sku_id=sku_id, available=units))


async def stock_of(db: Database, store: str, sku_id: int) -> int:
    async with db.read() as s:
        units = await s.scalar(
            select(Inventory.available)
            .join(Store, Store.id == Inventory.store_id)
            .where(Store.code == store, Inventory.sku_id == sku_id)
        )
    return int(units or 0)


async def order_with(
    db: Database,
    skus: Sequence[Sku],
    *,
    store: str = "UK",
    status: OrderStatus = OrderStatus.DELIVERED,
    line_statuses: Sequence[LineStatus] | None = None,
    price: Decimal = Decimal("50.00"),
) -> Order:
    """An order of ``store`` with one line per SKU (line statuses follow the order's unless
    given), committed."""
    async with db.write() as s:
        order = await make_order(s, store=store, status=status, lines=len(skus), price=price)
        lines = list(
            await s.scalars(select(Line).where(Line.order_id == order.id).order_by(Line.number))
        )
        for i, (line, sku) in enumerate(zip(lines, skus, strict=True)):
            line.sku_id, line.sku_code, line.product_name = sku.id, sku.code, sku.name
            if line_statuses is not None:
                line.status = line_statuses[i]
        await s.commit()
    return order


async def lines_of(db: Database, order_id: int) -> list[Line]:
    async with db.read() as s:
        return list(
            await s.scalars(select(Line).where(Line.order_id == order_id).order_by(Line.number))
        )


async def ref(gql: GraphQLClient, number: str) -> dict[str, Any]:
    """An order's id, version and lines (ids) as the SPA would have them."""
    q = "query($n: String!) { order(number: $n) { id version lines { id number status } } }"
    order: dict[str, Any] = (await gql.data(q, {"n": number}))["order"]
    return order


async def snapshot(db: Database) -> dict[str, Any]:
    """Everything an order action can write, summarised."""
    async with db.read() as s:

        async def count(model: Any) -> int:
            return int(await s.scalar(select(func.count()).select_from(model)) or 0)

        return {
            "orders": await count(Order),
            "versions": int(await s.scalar(select(func.sum(Order.version))) or 0),
            "order_statuses": sorted((await s.execute(select(Order.id, Order.status))).all()),
            "lines": sorted(
                (
                    await s.execute(
                        select(Line.id, Line.status, Line.exchanged, Line.refundable_net)
                    )
                ).all()
            ),
            "stock": sorted(
                (
                    await s.execute(
                        select(Inventory.store_id, Inventory.sku_id, Inventory.available)
                    )
                ).all()
            ),
            "actions": await count(PostsalesAction),
            "action_lines": await count(PostsalesActionLine),
            "refunds": await count(Refund),
            "history": await count(HistoryEntry),
            "outbox": await count(OutboxMessage),
            "idempotency": await count(IdempotencyRecord),
        }


async def outbox(db: Database, order_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    async with db.read() as s:
        rows = await s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == order_id)
            .order_by(OutboxMessage.id)
        )
        return [(m.destination, m.topic, m.payload) for m in rows]


async def make_user(db: Database, username: str, permissions: Sequence[Permission]) -> None:
    """A level-3 user of every store holding only ``permissions`` (sign in with sign_in)."""
    async with db.write() as s:
        role = Role(
            name=f"Role of {username}",
            level=3,
            permissions=[p.value for p in permissions],
            store_access=StoreAccess.ALL,
        )
        s.add(role)
        await s.flush()
        s.add(
            User(
                username=username,
                display_name=username.title(),
                role_id=role.id,
                time_zone="Europe/London",
                password_hash="!",  # no password: see sign_in
            )
        )
        await s.commit()


async def viewer_of(db: Database, username: str) -> Viewer:
    async with db.read() as s:
        user_id = await s.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        return await load_viewer(s, user_id)


async def sign_in(db: Database, gql: GraphQLClient, username: str) -> None:
    """Sign ``gql`` in as ``username`` with a session token made directly (no argon2 check:
    logging in is tested elsewhere, and each hash costs half a second)."""
    async with db.write() as s:
        user_id = await s.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        token, _ = await issue_token(s, user_id, TokenKind.SESSION)
        await s.commit()
    gql.token = token
