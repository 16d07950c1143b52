"""``Order.availableActions`` agrees with the mutations, and ``Order.warnings`` shows pending
exchange returns.

The agreement test takes 30 seeded orders of every status and type (plus a few made to
measure: sold-out styles, a pending exchange return, a partly cancelled order), and for each
viewer, action and line (or post-sales action) asks the mutation's own domain function
whether it accepts it: inside a write transaction that is then rolled back, so each attempt
sees the same database, runs every rule including the order lock and stock reservation, and
is fast. Permissions are enforced by the schema directive, which the SDL test ties to the same
permission table as availableActions.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from core.db import Database
from models import Line, Order, PostsalesAction, Refund, Sku, Store
from models.enums import ActionStatus, LineStatus, OrderStatus, OrderType, RefundStatus
from resolvers import stock
from resolvers.actions.appeasement import (
    AppeasementRequest,
    cancel_appeasement,
    preview_appeasement,
)
from resolvers.actions.cancel import cancel_order
from resolvers.actions.comment import add_comment
from resolvers.actions.exchange import ExchangeLine, create_exchange
from resolvers.actions.refund_retry import retry_refund
from resolvers.actions.reshipment import create_reshipment
from resolvers.actions.return_review import approve_return, cancel_return
from resolvers.actions.returns import (
    ReturnLineRequest,
    ReturnRequest,
    preview_return,
)
from resolvers.actions.shipping_appeasement import (
    ShippingAppeasementRequest,
    preview_shipping_appeasement,
)
from resolvers.actions.shipping_update import update_shipping
from resolvers.availability import PERMISSION, ActionType
from resolvers.errors import DomainError
from resolvers.reasons import ReasonKind, reasons
from schema import ids
from tests.action_helpers import (
    EXCHANGE,
    gid,
    order_with,
    ref,
    set_stock,
    sign_in,
    style_skus,
    viewer_of,
)
from tests.conftest import GraphQLClient

ACTIONS = (
    Path(__file__).parents[1] / "frontend-contract/operations/OrderActions.graphql"
).read_text()
DETAIL = (
    Path(__file__).parents[1] / "frontend-contract/operations/OrderDetail.graphql"
).read_text()
SDL = (Path(__file__).parents[1] / "frontend-contract/schema.graphql").read_text()
MUTATION = {
    ActionType.EXCHANGE: "exchangeCreate",
    ActionType.RESHIPMENT: "reshipmentCreate",
    ActionType.APPEASEMENT: "appeasementCreate",
    ActionType.RETURN: "returnCreate",
    ActionType.CANCEL: "orderCancel",
    ActionType.COMMENT: "orderCommentAdd",
    ActionType.RETURN_APPROVE: "returnApprove",
    ActionType.RETURN_CANCEL: "returnCancel",
    ActionType.APPEASEMENT_CANCEL: "appeasementCancel",
    ActionType.SHIPPING_UPDATE: "orderShippingUpdate",
    ActionType.SHIPPING_APPEASEMENT: "shippingAppeasementCreate",
    ActionType.REFUND_RETRY: "refundRetry",
}
LINE_KINDS = (
    ActionType.EXCHANGE,
    ActionType.RESHIPMENT,
    ActionType.APPEASEMENT,
    ActionType.RETURN,
    ActionType.CANCEL,
)
ACTION_KINDS = (ActionType.RETURN_APPROVE, ActionType.RETURN_CANCEL, ActionType.APPEASEMENT_CANCEL)
# The errors a refused line may give, by the reason availableActions shows for the action.
ERRORS_BY_REASON = {
    "NO_ELIGIBLE_LINE": {"LINE_NOT_ELIGIBLE", "AMOUNT_EXCEEDS_REFUNDABLE"},
    "ORDER_STATUS": {"ORDER_STATUS_INVALID"},
    "OUT_OF_STOCK": {"OUT_OF_STOCK", "SKU_NOT_ELIGIBLE"},
}

Attempt = Callable[[AsyncSession], Awaitable[Any]]


def test_each_action_needs_the_permission_of_its_mutation() -> None:
    block = SDL[SDL.index("type Mutation {") :]
    block = block[: block.index("\n}")]
    for kind, name in MUTATION.items():
        line = re.search(rf"^  {name}\(.*$", block, re.MULTILINE)
        assert line, name
        assert line.group(0).endswith(f"@requiresPermission(permission: {PERMISSION[kind]})")


async def attempt(db: Database, run: Attempt) -> str | None:
    """None when the domain function accepts, else its error code; nothing is kept."""
    async with db.write() as session:
        try:
            await run(session)
            return None
        except DomainError as error:
            return error.code
        finally:
            await session.rollback()


async def scenario_orders(db: Database, gql: GraphQLClient) -> list[Order]:
    """A few orders made to measure, for what the seed may lack."""
    async with db.write() as s:
        a, b, c, *_ = await style_skus(s)
        sold_out = list(await s.scalars(select(Sku).where(Sku.style_id == a.style_id)))
        for sku in sold_out:
            await set_stock(s, "DE", sku.id, 0)
        await set_stock(s, "UK", b.id, 0)
        await set_stock(s, "UK", c.id, 3)
        await s.commit()
    made = [
        await order_with(db, [a, b], store="DE"),  # every SKU of the style sold out in DE
        await order_with(db, [a, b, c], status=OrderStatus.SHIPPED),  # b sold out in UK
        await order_with(
            db,
            [a, b, c],
            status=OrderStatus.ORDER_REVIEW,
            line_statuses=[LineStatus.CANCELLED, LineStatus.ORDERED, LineStatus.ORDERED],
        ),
    ]
    pending = await order_with(db, [a, a])
    await sign_in(db, gql, "agent")
    o = await ref(gql, pending.number)
    payload = {"orderId": o["id"], "lines": [{"lineId": o["lines"][0]["id"], "skuCode": c.code}]}
    done = await gql.data(EXCHANGE, {"input": payload})
    assert done["exchangeCreate"]["__typename"] == "ExchangeCreateSuccess"
    return [*made, pending]


async def seeded_sample(db: Database, size: int) -> list[Order]:
    """Seeded orders of every (status, type), round robin, then delivered ones with open
    post-sales actions."""
    async with db.read() as s:
        everything = list(await s.scalars(select(Order).order_by(Order.id)))
        with_open = set(
            await s.scalars(
                select(PostsalesAction.order_id).where(
                    PostsalesAction.status.in_(
                        [ActionStatus.REQUESTED, ActionStatus.PENDING_RELEASE, ActionStatus.FAILED]
                    )
                )
            )
        )
    groups: dict[tuple[OrderStatus, OrderType, bool], list[Order]] = {}
    for order in everything:
        groups.setdefault((order.status, order.order_type, order.id in with_open), []).append(order)
    chosen: list[Order] = []
    while len(chosen) < size and any(groups.values()):
        for key in sorted(groups):
            if groups[key] and len(chosen) < size:
                chosen.append(groups[key].pop(0))
    return chosen


async def accepted(
    db: Database, viewer: Viewer, order: Order, kind: ActionType
) -> tuple[list[str], list[str], list[str | None]]:
    """(accepted line ids, accepted action ids, error codes of the refused ones) when the
    mutation's domain function is tried on each line or post-sales action of the order."""
    async with db.read() as s:
        lines = list(
            await s.scalars(select(Line).where(Line.order_id == order.id).order_by(Line.number))
        )
        actions = list(
            await s.scalars(
                select(PostsalesAction)
                .where(PostsalesAction.order_id == order.id)
                .order_by(PostsalesAction.created_at, PostsalesAction.id)
            )
        )
        appeasement_reason = (await reasons(s, ReasonKind.APPEASEMENT))[0].code
        return_reason = (await reasons(s, ReasonKind.RETURN))[0].code
        cancel_reason = (await reasons(s, ReasonKind.CANCELLATION))[0].code
        codes = {line.id: await _exchange_sku(s, order, line) for line in lines}
    order_id = order.id

    def for_line(line: Line) -> Attempt:
        line_id = line.id
        if kind is ActionType.EXCHANGE:
            return lambda s: create_exchange(
                s, viewer, order_id=order_id, lines=[ExchangeLine(line_id, codes[line.id])]
            )
        if kind is ActionType.RESHIPMENT:
            return lambda s: create_reshipment(s, viewer, order_id=order_id, line_ids=[line_id])
        if kind is ActionType.APPEASEMENT:
            request = AppeasementRequest(line_id, Decimal("0.01"), appeasement_reason)
            return lambda s: preview_appeasement(s, viewer, request)
        if kind is ActionType.RETURN:
            item = ReturnLineRequest(line_id, return_reason)
            return lambda s: preview_return(
                s, viewer, ReturnRequest(order_id, [item], "Agreement check.")
            )
        return lambda s: cancel_order(
            s, viewer, order_id=order_id, line_ids=[line_id], reason=cancel_reason
        )

    def for_action(action: PostsalesAction) -> Attempt:
        action_id = action.id
        run = {
            ActionType.RETURN_APPROVE: approve_return,
            ActionType.RETURN_CANCEL: cancel_return,
            ActionType.APPEASEMENT_CANCEL: cancel_appeasement,
        }[kind]
        return lambda s: run(s, viewer, action_id=action_id)

    line_ids, action_ids, errors = [], [], []
    if kind is ActionType.SHIPPING_UPDATE:
        errors.append(
            await attempt(
                db,
                lambda s: update_shipping(
                    s, viewer, order_id=order_id, shipping_method="Agreement check"
                ),
            )
        )
    elif kind is ActionType.SHIPPING_APPEASEMENT:
        request = ShippingAppeasementRequest(order_id, Decimal("0.01"), appeasement_reason)
        errors.append(await attempt(db, lambda s: preview_shipping_appeasement(s, viewer, request)))
    elif kind is ActionType.REFUND_RETRY:
        async with db.read() as s:
            failed = list(
                await s.scalars(
                    select(Refund.id)
                    .where(Refund.order_id == order_id, Refund.status == RefundStatus.FAILED)
                    .order_by(Refund.id)
                )
            )
        for refund_id in failed:
            error = await attempt(db, partial(retry_refund, viewer=viewer, refund_id=refund_id))
            if error is None:
                action_ids.append(str(refund_id))
            errors.append(error)
    elif kind in LINE_KINDS:
        for line in lines:
            error = await attempt(db, for_line(line))
            if error is None:
                line_ids.append(gid("Line", line.id))
            errors.append(error)
    elif kind in ACTION_KINDS:
        for action in actions:
            error = await attempt(db, for_action(action))
            if error is None:
                action_ids.append(gid("PostsalesAction", action.id))
            errors.append(error)
    return line_ids, action_ids, [e for e in errors if e is not None]


async def _exchange_sku(session: AsyncSession, order: Order, line: Line) -> str:
    """What an agent would pick: a candidate with stock, else another child of the style out
    of stock, else (a style of one SKU) the line's own SKU."""
    found = await stock.exchange_candidates(session, order.store_id, line.sku_id)
    if found:
        return found[0][0].code
    sku = await session.get(Sku, line.sku_id)
    assert sku is not None
    other = await session.scalar(
        select(Sku.code).where(Sku.style_id == sku.style_id, Sku.id != sku.id).limit(1)
    )
    return other or sku.code


async def test_available_actions_agree_with_the_mutations(db: Database, gql: GraphQLClient) -> None:
    orders = [*await scenario_orders(db, gql), *await seeded_sample(db, 30)]
    checked = 0
    seen_reasons: set[str] = set()
    for username in ("agent", "supervisor"):
        viewer = await viewer_of(db, username)
        await sign_in(db, gql, username)
        for order in orders:
            shown = (await gql.data(ACTIONS, {"number": order.number}))["order"]
            if not viewer.sees_store(order.store_id):
                assert shown is None
                continue
            by_kind = {a["kind"]: a for a in shown["availableActions"]}
            assert list(by_kind) == [k.value for k in ActionType]
            for kind in ActionType:
                got = by_kind[kind.value]
                where = (username, order.number, kind.value, got)
                assert got["permission"] == PERMISSION[kind].value
                if got["reason"]:
                    seen_reasons.add(got["reason"])
                if not viewer.has(PERMISSION[kind]):
                    assert (got["allowed"], got["reason"]) == (False, "MISSING_PERMISSION"), where
                    assert got["lineIds"] == got["actionIds"] == [], where
                    continue
                if kind is ActionType.COMMENT:
                    ok = await attempt(
                        db,
                        partial(add_comment, viewer=viewer, order_id=order.id, text="Check."),
                    )
                    assert got["allowed"] and ok is None, where
                    continue
                line_ids, action_ids, errors = await accepted(db, viewer, order, kind)
                if kind in (ActionType.SHIPPING_UPDATE, ActionType.SHIPPING_APPEASEMENT):
                    assert got["allowed"] == (errors == []), (where, errors)
                    checked += 1
                    continue
                if kind is ActionType.REFUND_RETRY:  # refund ids, carried as action ids here
                    assert [str(i) for i in got["refundIds"]] == action_ids, where
                    assert got["allowed"] == bool(action_ids), where
                    checked += 1
                    continue
                assert got["lineIds"] == line_ids, where
                assert got["actionIds"] == action_ids, where
                assert got["allowed"] == bool(line_ids or action_ids), where
                assert (got["reason"] is None) == got["allowed"], where
                if got["reason"] in ERRORS_BY_REASON and kind in (
                    ActionType.EXCHANGE,
                    ActionType.RESHIPMENT,
                    ActionType.CANCEL,
                ):
                    assert set(errors) <= ERRORS_BY_REASON[got["reason"]], (where, errors)
                if kind is ActionType.CANCEL:
                    whole = await attempt(
                        db,
                        partial(
                            cancel_order,
                            viewer=viewer,
                            order_id=order.id,
                            reason="CUSTOMER_REQUEST",
                        ),
                    )
                    assert (whole is None) == got["allowed"], where
                checked += 1
    assert checked > 300
    assert seen_reasons == {
        "MISSING_PERMISSION",
        "ORDER_STATUS",
        "NO_ELIGIBLE_LINE",
        "NO_ELIGIBLE_ACTION",
        "OUT_OF_STOCK",
        "NOTHING_REFUNDABLE",
        "NO_FAILED_REFUND",
    }


async def test_reasons_on_orders_made_to_measure(db: Database, gql: GraphQLClient) -> None:
    async with db.write() as s:
        a, b, *_ = await style_skus(s)
        for sku in await s.scalars(select(Sku).where(Sku.style_id == a.style_id)):
            await set_stock(s, "UK", sku.id, 0)
        await s.commit()
    delivered = await order_with(db, [a, b])
    review = await order_with(db, [a, b], status=OrderStatus.ORDER_REVIEW)
    await sign_in(db, gql, "agent")

    async def actions(number: str) -> dict[str, Any]:
        found = (await gql.data(ACTIONS, {"number": number}))["order"]["availableActions"]
        return {a["kind"]: (a["allowed"], a["reason"], len(a["lineIds"])) for a in found}

    shown = await actions(delivered.number)
    assert shown["EXCHANGE"] == (False, "OUT_OF_STOCK", 0)
    assert shown["RESHIPMENT"] == (False, "OUT_OF_STOCK", 0)
    assert shown["CANCEL"] == (False, "ORDER_STATUS", 0)
    assert shown["APPEASEMENT"] == shown["RETURN"] == (True, None, 2)
    assert shown["COMMENT"] == (True, None, 0)
    assert shown["RETURN_APPROVE"] == shown["RETURN_CANCEL"] == (False, "MISSING_PERMISSION", 0)
    assert shown["APPEASEMENT_CANCEL"] == (False, "MISSING_PERMISSION", 0)
    shown = await actions(review.number)
    assert (
        shown["EXCHANGE"]
        == shown["RESHIPMENT"]
        == shown["RETURN"]
        == (
            False,
            "NO_ELIGIBLE_LINE",
            0,
        )
    )
    assert shown["CANCEL"] == (True, None, 2)
    await sign_in(db, gql, "supervisor")
    shown = await actions(review.number)
    assert (
        shown["RETURN_APPROVE"]
        == shown["APPEASEMENT_CANCEL"]
        == (
            False,
            "NO_ELIGIBLE_ACTION",
            0,
        )
    )


async def test_a_pending_exchange_return_warns_until_it_is_closed(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, b, c, *_ = await style_skus(s)
        await set_stock(s, "UK", c.id, 2)
        await s.commit()
    origin = await order_with(db, [a, b])
    await sign_in(db, gql, "supervisor")
    assert (await gql.data(ACTIONS, {"number": origin.number}))["order"]["warnings"] == []
    o = await ref(gql, origin.number)
    line_id = o["lines"][1]["id"]
    payload = {"orderId": o["id"], "lines": [{"lineId": line_id, "skuCode": c.code}]}
    await gql.data(EXCHANGE, {"input": payload})
    shown = (await gql.data(ACTIONS, {"number": origin.number}))["order"]
    [warning] = shown["warnings"]
    assert (warning["code"], warning["lineId"]) == ("RETURN_PENDING", line_id)
    assert "Line 2" in warning["message"] and "approved or cancelled" in warning["message"]
    by_kind = {a["kind"]: a for a in shown["availableActions"]}
    assert by_kind["RETURN_APPROVE"]["actionIds"] == [warning["actionId"]]
    assert by_kind["RETURN_CANCEL"]["actionIds"] == [warning["actionId"]]
    assert line_id not in by_kind["EXCHANGE"]["lineIds"]
    assert line_id not in by_kind["RETURN"]["lineIds"]
    # Once the return is cancelled the warning goes, and the line (exchanged) stays
    # out of further exchanges.
    async with db.write() as s:
        action_id = ids.decode(warning["actionId"], "PostsalesAction", ["actionId"])
        await cancel_return(s, await viewer_of(db, "supervisor"), action_id=action_id)
        await s.commit()
    shown = (await gql.data(ACTIONS, {"number": origin.number}))["order"]
    assert shown["warnings"] == []
    by_kind = {a["kind"]: a for a in shown["availableActions"]}
    assert line_id not in by_kind["EXCHANGE"]["lineIds"]
    assert line_id in by_kind["RETURN"]["lineIds"]


async def test_detail_with_actions_and_warnings_stays_within_8_statements(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.write() as s:
        a, b, c, *_ = await style_skus(s)
        await set_stock(s, "UK", c.id, 5)
        await s.commit()
    origin = await order_with(db, [a, b, a])
    await sign_in(db, gql, "admin")
    o = await ref(gql, origin.number)
    for line in o["lines"][:2]:
        payload = {"orderId": o["id"], "lines": [{"lineId": line["id"], "skuCode": c.code}]}
        await gql.data(EXCHANGE, {"input": payload})
    reship = """mutation($o: ID!, $l: [ID!]!) { reshipmentCreate(input: {orderId: $o, lineIds: $l})
      { __typename } }"""
    await gql.data(reship, {"o": o["id"], "l": [o["lines"][2]["id"]]})
    query = DETAIL.replace(
        "    derivedOrders { id number orderType status }",
        "    derivedOrders { id number orderType status }\n"
        "    availableActions { kind allowed reason permission lineIds actionIds }\n"
        "    warnings { code message lineId actionId }",
    )
    assert query != DETAIL
    for number in (origin.number, f"{origin.number}-E1"):
        body = await gql.execute(query, {"number": number})
        assert not body.get("errors"), body
        assert body["extensions"]["sqlStatements"] <= 8, body["extensions"]
    order = body["data"]["order"]
    assert order["originOrder"]["number"] == origin.number
    async with db.read() as s:
        n = await s.scalar(
            select(func.count()).select_from(Order).where(Order.origin_order_id == origin.id)
        )
        store = await s.scalar(select(Store.code).where(Store.id == origin.store_id))
    assert (n, store) == (3, "UK")
    body = await gql.execute(query, {"number": origin.number})
    assert len(body["data"]["order"]["warnings"]) == 2
