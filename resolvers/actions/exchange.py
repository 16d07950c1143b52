"""Exchanges: shipped or delivered lines swapped for fellow children of the same style, on a
new order ``<number>-E<n>`` that costs the customer nothing, while the original items come
back on a no-refund return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.viewer import Viewer
from models import Line, Order, PostsalesActionLine, Sku, Source
from models.enums import ActionKind, ActionStatus, HistoryKind, LineStatus, OrderType
from resolvers.actions.common import check_comment, lock_order, open_action
from resolvers.actions.derived import (
    NewLine,
    announce,
    create_order,
    distinct_lines,
    not_eligible,
    numbers_text,
    order_lines,
    reserve_all,
)
from resolvers.eligibility import exchangeable
from resolvers.errors import NotFound, SkuNotEligible
from resolvers.idempotency import Outcome
from resolvers.journal import add_history, enqueue

MAX_COMMENT = 1000


@dataclass(frozen=True)
class ExchangeLine:
    """One requested swap: the line and the SKU code it is exchanged for."""

    line_id: int
    sku_code: str


async def create_exchange(
    session: AsyncSession,
    viewer: Viewer,
    *,
    order_id: int,
    lines: Sequence[ExchangeLine],
    comment: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Create the exchange order, reserve its stock, and open a no-refund return for each
    exchanged line of the original order."""
    fields = [["input", "lines", str(i)] for i in range(len(lines))]
    ids = distinct_lines([x.line_id for x in lines], ["input", "lines"])
    text = check_comment(comment, required=False, limit=MAX_COMMENT, field=["input", "comment"])
    order = await lock_order(session, viewer, order_id, expected_version, ["input", "orderId"])
    originals = await order_lines(session, order, ids, [[*f, "lineId"] for f in fields])
    for line, field in zip(originals, fields, strict=True):
        if not exchangeable(line):
            why = "was exchanged before" if line.exchanged else "is not shipped or delivered"
            raise not_eligible(line, [*field, "lineId"], f"cannot be exchanged: it {why}")
    new_lines = await _new_skus(session, originals, lines, fields)
    await reserve_all(session, order, new_lines)

    new_order = await create_order(session, viewer, order, OrderType.EXCHANGE, new_lines)
    action = await open_action(
        session,
        viewer,
        order,
        ActionKind.EXCHANGE,
        ActionStatus.COMPLETED,
        comment=text,
        resulting_order_id=new_order.id,
    )
    for new in new_lines:
        session.add(
            PostsalesActionLine(action_id=action.id, line_id=new.origin.id, new_sku_id=new.sku.id)
        )
    swaps = "; ".join(
        f"line {n.origin.number} {n.origin.sku_code} → {n.sku.code}" for n in new_lines
    )
    add_history(
        session,
        order.id,
        HistoryKind.EXCHANGE,
        f"Exchange {new_order.number} created by {viewer.display_name}: {swaps}",
        viewer=viewer,
        details={
            "actionId": action.id,
            "order": new_order.number,
            "lines": [
                {"line": n.origin.number, "sku": n.origin.sku_code, "newSku": n.sku.code}
                for n in new_lines
            ],
            "comment": text,
        },
        related_order_id=new_order.id,
    )
    await _no_refund_returns(session, viewer, order, originals, new_order)
    announce(session, new_order, order, new_lines)
    await session.flush()
    return Outcome(order_id=order.id, action_id=action.id, new_order_id=new_order.id)


async def _new_skus(
    session: AsyncSession,
    originals: Sequence[Line],
    requested: Sequence[ExchangeLine],
    fields: Sequence[list[str]],
) -> list[NewLine]:
    """Each line with the SKU it is exchanged for: a different child of the same style;
    NotFound for an unknown code, SkuNotEligible otherwise."""
    codes = {x.sku_code.strip() for x in requested}
    sku_ids = {line.sku_id for line in originals}
    rows = await session.scalars(select(Sku).where(Sku.code.in_(codes) | Sku.id.in_(sku_ids)))
    skus = list(rows)
    by_code = {s.code: s for s in skus}
    by_id = {s.id: s for s in skus}
    result = []
    for line, req, field in zip(originals, requested, fields, strict=True):
        sku = by_code.get(req.sku_code.strip())
        where = [*field, "skuCode"]
        if sku is None:
            raise NotFound(f"No SKU has the code {req.sku_code!r}.", field=where)
        if sku.id == line.sku_id or sku.style_id != by_id[line.sku_id].style_id:
            why = "is the line's own SKU" if sku.id == line.sku_id else "is of another style"
            raise SkuNotEligible(
                f"{sku.code} cannot replace line {line.number}: it {why}.",
                field=where,
                line_id=line.id,
                sku_code=sku.code,
            )
        result.append(NewLine(origin=line, sku=sku, field=where))
    return result


async def _no_refund_returns(
    session: AsyncSession,
    viewer: Viewer,
    origin: Order,
    lines: Sequence[Line],
    new_order: Order,
) -> None:
    """The original items come back without a refund: a REQUESTED, no-refund return per
    return source (the lines' shipping source), the lines RETURN_REQUESTED and exchanged,
    and the warehouse told to expect them."""
    by_source: dict[int | None, list[Line]] = {}
    for line in lines:
        by_source.setdefault(line.source_id, []).append(line)
    ids = [i for i in by_source if i is not None]
    codes = dict(
        (await session.execute(select(Source.id, Source.code).where(Source.id.in_(ids)))).all()
    )
    for source_id, group in by_source.items():
        ret = await open_action(
            session,
            viewer,
            origin,
            ActionKind.RETURN,
            ActionStatus.REQUESTED,
            comment=f"Return of the items exchanged by {new_order.number}.",
            return_source_id=source_id,
            no_refund=True,
        )
        for line in group:
            session.add(PostsalesActionLine(action_id=ret.id, line_id=line.id))
            line.status_before_return = line.status
            line.status = LineStatus.RETURN_REQUESTED
            line.exchanged = True
        add_history(
            session,
            origin.id,
            HistoryKind.RETURN,
            f"Return (no refund) requested for {numbers_text(group)}, "
            f"for exchange {new_order.number}",
            viewer=viewer,
            details={
                "actionId": ret.id,
                "lines": [line.number for line in group],
                "noRefund": True,
            },
            related_order_id=new_order.id,
        )
        # As for any return: the warehouse expects the items back (here, without a refund).
        enqueue(
            session,
            "WAREHOUSE",
            "return_expected",
            {
                "orderNumber": origin.number,
                "actionId": ret.id,
                "returnTo": codes.get(source_id) if source_id is not None else None,
                "noRefund": True,
                "exchangeOrder": new_order.number,
                "lines": [
                    {"number": line.number, "sku": line.sku_code, "reason": None} for line in group
                ],
            },
            origin.id,
        )
