"""What the appeasement, return and ledger tests share: operations, orders made to measure,
a snapshot of everything a refused mutation must leave alone, and the ledger invariants."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.money import tax_for
from models import (
    HistoryEntry,
    IdempotencyRecord,
    Line,
    Order,
    OutboxMessage,
    PostsalesAction,
    PostsalesActionLine,
    Refund,
    Setting,
    Source,
)
from models.enums import OrderStatus, RefundStatus
from schema.ids import encode as encode_id
from tests.factories import make_order

FRAGMENTS = {
    "AmountExceedsRefundable": "maximumRefundable { amount currency } lineId",
    "LineNotEligible": "lineId status",
    "AmountPrecisionInvalid": "currency decimals",
    "ReasonUnknown": "allowedReasons",
    "SourceNotAllowed": "lineId allowedSources",
    "IllegalTransition": "status",
    "VersionConflict": "currentVersion",
    "CommentInvalid": "limit",
}


def errors(*names: str) -> str:
    """Selections of UserError and of the given error types' own fields."""
    own = " ".join(f"... on {n} {{ {FRAGMENTS[n]} }}" for n in names)
    return f"... on UserError {{ code message field }} {own}"


ACTION = """id kind status amount { amount currency } reason comment noRefund
  createdBy { username } returnSource { code } lines { id number status }"""
REFUND = """line { id number } net { amount currency } tax { amount } gross { amount }
  remainingRefundable { amount }"""
ORDER = "id version lines { id number status refundableAmount { amount currency } }"

APPEASE = f"""mutation($input: AppeasementCreateInput!) {{ appeasementCreate(input: $input) {{
  __typename
  ... on AppeasementCreateSuccess {{ dryRun order {{ {ORDER} }} action {{ {ACTION} }}
      refund {{ {REFUND} }} }}
  {
    errors(
        "AmountExceedsRefundable",
        "LineNotEligible",
        "AmountPrecisionInvalid",
        "ReasonUnknown",
        "VersionConflict",
        "CommentInvalid",
    )
} }} }}"""
CANCEL_APPEASEMENT = f"""mutation($input: AppeasementCancelInput!) {{
  appeasementCancel(input: $input) {{
  __typename
  ... on AppeasementCancelSuccess {{ order {{ {ORDER} }} action {{ {ACTION} }} }}
  {errors("IllegalTransition", "VersionConflict")} }} }}"""
RETURN = f"""mutation($input: ReturnCreateInput!) {{ returnCreate(input: $input) {{
  __typename
  ... on ReturnCreateSuccess {{ dryRun order {{ {ORDER} }} action {{ {ACTION} }}
      refunds {{ {REFUND} }} }}
  {
    errors(
        "LineNotEligible", "ReasonUnknown", "SourceNotAllowed", "VersionConflict", "CommentInvalid"
    )
} }} }}"""
APPROVE = f"""mutation($input: ReturnActionInput!) {{ returnApprove(input: $input) {{
  __typename
  ... on ReturnApproveSuccess {{ order {{ {ORDER} }} action {{ {ACTION} }}
      refunds {{ {REFUND} }} }}
  {
    errors("IllegalTransition", "LineNotEligible", "AmountExceedsRefundable", "VersionConflict")
} }} }}"""
CANCEL_RETURN = f"""mutation($input: ReturnActionInput!) {{ returnCancel(input: $input) {{
  __typename
  ... on ReturnCancelSuccess {{ order {{ {ORDER} }} action {{ {ACTION} }} }}
  {errors("IllegalTransition", "LineNotEligible", "VersionConflict")} }} }}"""


@dataclass(frozen=True)
class Made:
    """An order made for a test: its row id, global ids, and line global ids by number."""

    id: int
    number: str
    gid: str
    lines: dict[int, str]


async def made_order(
    db: Database,
    *,
    store: str = "UK",
    status: OrderStatus = OrderStatus.DELIVERED,
    lines: int = 2,
    price: Decimal = Decimal("100.00"),
    tax_rate: Decimal = Decimal("0.20"),
    source: str | None = "LON-WH",
) -> Made:
    """An order whose lines have a net of ``price`` each, shipped from ``source``."""
    async with db.write() as s:
        order = await make_order(
            s, store=store, status=status, lines=lines, price=price, tax_rate=tax_rate
        )
        if source is not None:
            source_id = await s.scalar(select(Source.id).where(Source.code == source))
            await s.execute(
                update(Line).where(Line.order_id == order.id).values(source_id=source_id)
            )
        rows = await s.scalars(select(Line).where(Line.order_id == order.id))
        made = Made(
            order.id,
            order.number,
            encode_id("Order", order.id),
            {line.number: encode_id("Line", line.id) for line in rows},
        )
        await s.commit()
    return made


async def set_line(db: Database, made: Made, number: int, **values: Any) -> None:
    async with db.write() as s:
        await s.execute(
            update(Line).where(Line.order_id == made.id, Line.number == number).values(**values)
        )
        await s.commit()


def success(result: dict[str, Any], typename: str) -> dict[str, Any]:
    assert result["__typename"] == typename, result
    return result


async def snapshot(db: Database) -> dict[str, Any]:
    """Everything a refused or dry-run mutation must leave as it was."""
    async with db.read() as s:
        counts = {
            model.__tablename__: await s.scalar(select(func.count()).select_from(model))
            for model in (
                Refund,
                PostsalesAction,
                PostsalesActionLine,
                HistoryEntry,
                OutboxMessage,
                IdempotencyRecord,
            )
        }
        lines = list(await s.execute(select(Line.id, Line.status, Line.refundable_net)))
        versions = list(await s.execute(select(Order.id, Order.version)))
        actions = list(await s.execute(select(PostsalesAction.id, PostsalesAction.status)))
        refunds = list(await s.execute(select(Refund.id, Refund.status)))
        settings = list(await s.execute(select(Setting.key, Setting.value)))
    return {
        "counts": counts,
        "lines": sorted(lines),
        "versions": sorted(versions),
        "actions": sorted(actions),
        "refunds": sorted(refunds),
        "settings": sorted(settings, key=lambda r: r[0]),
    }


async def ledger_violations(session: AsyncSession, order_id: int | None = None) -> list[str]:
    """Every breach of the ledger's invariants (of one order, or of the whole database):
    refundable = net − nets of refunds neither cancelled nor failed, 0 ≤ refundable ≤ net,
    gross = net + tax, tax = the line's rate on the net, half-even."""
    query = select(Line)
    if order_id is not None:
        query = query.where(Line.order_id == order_id)
    lines = {line.id: line for line in await session.scalars(query)}
    refunds = await session.scalars(select(Refund).where(Refund.line_id.in_(lines)))
    drawn = dict.fromkeys(lines, Decimal(0))
    wrong = []
    for r in refunds:
        assert r.line_id is not None  # selected by line
        line = lines[r.line_id]
        if r.gross != r.net + r.tax:
            wrong.append(f"refund {r.id}: gross {r.gross} != {r.net} + {r.tax}")
        if r.tax != tax_for(r.net, line.tax_rate, r.currency):
            wrong.append(f"refund {r.id}: tax {r.tax} on {r.net} at {line.tax_rate}")
        # Cancelled and failed refunds went back to the line.
        if r.status not in (RefundStatus.CANCELLED, RefundStatus.FAILED):
            drawn[r.line_id] += r.net
    for line in lines.values():
        if line.refundable_net != line.net_amount - drawn[line.id]:
            wrong.append(
                f"line {line.id}: refundable {line.refundable_net} != "
                f"{line.net_amount} - {drawn[line.id]}"
            )
        if not Decimal(0) <= line.refundable_net <= line.net_amount:
            wrong.append(f"line {line.id}: refundable {line.refundable_net} out of range")
    return wrong


async def rows(db: Database, model: Any, *conditions: Any) -> list[Any]:
    async with db.read() as s:
        return list(await s.scalars(select(model).where(*conditions).order_by(model.id)))
