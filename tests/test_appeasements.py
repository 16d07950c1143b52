"""Appeasements: a refund of part of a line's net from the ledger, with its history and credit
note; cancelling gives it back; every refusal is typed and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from strawberry.relay import GlobalID

from core.db import Database
from models import HistoryEntry, Line, Order, OutboxMessage, PostsalesAction, Refund, Store
from models.enums import (
    ActionKind,
    ActionStatus,
    HistoryKind,
    LineStatus,
    RefundKind,
    RefundStatus,
)
from resolvers.idempotency import Written
from schema.ids import encode as encode_id
from tests.conftest import GraphQLClient, StatementLog
from tests.postsales import (
    APPEASE,
    CANCEL_APPEASEMENT,
    REFUND,
    Made,
    made_order,
    rows,
    set_line,
    snapshot,
    success,
)


async def appease(gql: GraphQLClient, made: Made, line: int, amount: str, **extra: Any) -> Any:
    payload = {"lineId": made.lines[line], "amount": amount, "reason": "LATE_DELIVERY", **extra}
    return (await gql.data(APPEASE, {"input": payload}))["appeasementCreate"]


async def cancel(gql: GraphQLClient, action_id: str, **extra: Any) -> Any:
    payload = {"actionId": action_id, **extra}
    return (await gql.data(CANCEL_APPEASEMENT, {"input": payload}))["appeasementCancel"]


async def test_an_appeasement_refunds_part_of_the_net_with_history_and_credit_note(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db)
    # Line 2's own SKU, unlike line 1's, so that the credit note shows it came from line 2.
    await set_line(db, made, 2, sku_code="SKU-OF-LINE-2")
    await gql.login("agent")
    result = success(
        await appease(gql, made, 2, "5.00", comment="Parcel two days late."),
        "AppeasementCreateSuccess",
    )
    action = result["action"]
    assert result["dryRun"] is False
    assert {k: action[k] for k in ("kind", "status", "amount", "reason", "comment")} == {
        "kind": "APPEASEMENT",
        "status": "REQUESTED",
        "amount": {"amount": "5.00", "currency": "GBP"},
        "reason": "LATE_DELIVERY",
        "comment": "Parcel two days late.",
    }
    assert action["createdBy"] == {"username": "agent"}
    assert [line["number"] for line in action["lines"]] == [2]
    assert result["refund"] == {
        "line": {"id": made.lines[2], "number": 2},
        "net": {"amount": "5.00", "currency": "GBP"},
        "tax": {"amount": "1.00"},
        "gross": {"amount": "6.00"},
        "remainingRefundable": {"amount": "95.00"},
    }
    refundable = {x["number"]: x["refundableAmount"]["amount"] for x in result["order"]["lines"]}
    assert refundable == {1: "100.00", 2: "95.00"}

    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert (refund.kind, refund.status, refund.net, refund.tax, refund.gross) == (
        RefundKind.APPEASEMENT,
        RefundStatus.REQUESTED,
        Decimal("5.00"),
        Decimal("1.00"),
        Decimal("6.00"),
    )
    action_id = int(refund.action_id or 0)
    assert encode_id("PostsalesAction", action_id) == action["id"]
    (entry,) = await rows(
        db,
        HistoryEntry,
        HistoryEntry.order_id == made.id,
        HistoryEntry.kind == HistoryKind.APPEASEMENT,
    )
    assert entry.message == "Appeasement of 5.00 GBP on line 2 (Late delivery) requested"
    assert entry.details["actionId"] == action_id and entry.details["refundId"] == refund.id
    assert (entry.details["line"], entry.details["amount"], entry.details["currency"]) == (
        2,
        "5.00",
        "GBP",
    )
    (message,) = await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)
    assert (message.destination, message.topic) == ("PAYMENT", "credit_note")
    assert message.payload == {
        "orderNumber": made.number,
        "refundId": refund.id,
        "actionId": action_id,
        "kind": "APPEASEMENT",
        "lineNumber": 2,
        "sku": "SKU-OF-LINE-2",
        "net": "5.00",
        "tax": "1.00",
        "gross": "6.00",
        "currency": "GBP",
        "paymentMethod": "Visa •••• 4242",
        "scope": "LINE",
        "retryOf": None,
    }

    # The order detail shows the appeasement with who created it, and the line what is left.
    q = """query($id: ID!) { order(id: $id) { postsalesActions { kind createdBy { username } }
      history(last: 1) { kind message actor { username } } } }"""
    detail = (await gql.data(q, {"id": made.gid}))["order"]
    assert detail["postsalesActions"] == [
        {"kind": "APPEASEMENT", "createdBy": {"username": "agent"}}
    ]
    assert detail["history"][0]["actor"] == {"username": "agent"}


async def test_the_next_appeasement_may_take_only_what_is_left(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db)
    await gql.login("agent")
    success(await appease(gql, made, 1, "60"), "AppeasementCreateSuccess")
    refused = await appease(gql, made, 1, "40.01")
    assert refused["__typename"] == "AmountExceedsRefundable"
    assert refused["maximumRefundable"] == {"amount": "40.00", "currency": "GBP"}
    assert refused["lineId"] == made.lines[1] and refused["field"] == ["input", "amount"]
    last = success(await appease(gql, made, 1, "40.00"), "AppeasementCreateSuccess")
    assert last["refund"]["remainingRefundable"] == {"amount": "0.00"}
    nothing_left = await appease(gql, made, 1, "0.01")
    assert nothing_left["__typename"] == "AmountExceedsRefundable"
    assert nothing_left["maximumRefundable"]["amount"] == "0.00"


async def test_every_refusal_is_typed_and_changes_nothing(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db, lines=3)
    await set_line(db, made, 3, status=LineStatus.CANCELLED)
    async with db.read() as s:
        us_line = await s.scalar(
            select(Order.id).join(Store, Store.id == Order.store_id).where(Store.code == "US")
        )
        us_line_id = await s.scalar(select(Line.id).where(Line.order_id == us_line))
        version = await s.scalar(select(Order.version).where(Order.id == made.id))
    assert us_line_id is not None and version is not None
    await gql.login("agent")
    line = made.lines[1]
    cases: list[tuple[dict[str, Any], str, list[str], dict[str, Any]]] = [
        ({"amount": "0"}, "AmountNotPositive", ["input", "amount"], {}),
        ({"amount": "-5.00"}, "AmountNotPositive", ["input", "amount"], {}),
        (
            {"amount": "1.005"},
            "AmountPrecisionInvalid",
            ["input", "amount"],
            {"currency": "GBP", "decimals": 2},
        ),
        (
            {"amount": "100.01"},
            "AmountExceedsRefundable",
            ["input", "amount"],
            {"maximumRefundable": {"amount": "100.00", "currency": "GBP"}},
        ),
        (
            {"amount": "1" + "0" * 30},
            "AmountExceedsRefundable",
            ["input", "amount"],
            {"maximumRefundable": {"amount": "100.00", "currency": "GBP"}},
        ),
        (
            {"reason": "BECAUSE"},
            "ReasonUnknown",
            ["input", "reason"],
            {
                "allowedReasons": [
                    "LATE_DELIVERY",
                    "DAMAGED_ITEM",
                    "PRICE_ADJUSTMENT",
                    "GOODWILL",
                    "MISSING_PART",
                ]
            },
        ),
        ({"comment": "x" * 1001}, "CommentInvalid", ["input", "comment"], {"limit": 1000}),
        (
            {"lineId": made.lines[3]},
            "LineNotEligible",
            ["input", "lineId"],
            {"lineId": made.lines[3], "status": "CANCELLED"},
        ),
        ({"lineId": encode_id("Line", 10**9)}, "NotFound", ["input", "lineId"], {}),
        ({"lineId": "not an id"}, "NotFound", ["input", "lineId"], {}),
        ({"lineId": made.gid}, "NotFound", ["input", "lineId"], {}),  # an Order id
        ({"lineId": encode_id("Line", us_line_id)}, "NotFound", ["input", "lineId"], {}),
        (
            {"expectedVersion": version - 1},
            "VersionConflict",
            ["input", "expectedVersion"],
            {"currentVersion": version},
        ),
        ({"idempotencyKey": ""}, "ValidationFailed", ["input", "idempotencyKey"], {}),
    ]
    before = await snapshot(db)
    codes: dict[str, str] = {}
    for change, typename, field, extra in cases:
        payload = {"lineId": line, "amount": "5.00", "reason": "GOODWILL", **change}
        result = (await gql.data(APPEASE, {"input": payload}))["appeasementCreate"]
        assert result["__typename"] == typename, (change, result)
        codes[typename] = result["code"]
        assert result["field"] == field, change
        assert result["code"] and result["message"]
        assert {k: result[k] for k in extra} == extra, change
        assert await snapshot(db) == before, change
    # Every error type has a code of its own.
    assert len(set(codes.values())) == len(codes) == 9
    # What is no plain amount never reaches the rules (schema/scalars.py).
    for amount in ("1E+30", "NaN", "Infinity"):
        payload = {"lineId": line, "amount": amount, "reason": "GOODWILL"}
        body = await gql.execute(APPEASE, {"input": payload})
        assert body["data"] is None, amount
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", amount
        assert await snapshot(db) == before, amount


async def test_a_dry_run_computes_the_refund_and_writes_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db)
    await gql.login("agent")
    before = await snapshot(db)
    payload = {
        "lineId": made.lines[1],
        "amount": "12.34",
        "reason": "GOODWILL",
        "dryRun": True,
        "idempotencyKey": "dry-1",
    }
    result = success(
        (await gql.data(APPEASE, {"input": payload}))["appeasementCreate"],
        "AppeasementCreateSuccess",
    )
    assert result["dryRun"] is True and result["action"] is None
    assert result["refund"]["net"]["amount"] == "12.34"
    assert result["refund"]["tax"]["amount"] == "2.47"  # 2.468 → 2.47
    assert result["refund"]["gross"]["amount"] == "14.81"
    assert result["refund"]["remainingRefundable"]["amount"] == "87.66"
    assert result["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"
    assert await snapshot(db) == before
    # A dry run is refused like the real thing.
    refused = await gql.data(APPEASE, {"input": {**payload, "amount": "100.01"}})
    assert refused["appeasementCreate"]["__typename"] == "AmountExceedsRefundable"
    assert await snapshot(db) == before
    # The key was not taken by the dry run: the real request with it goes through once.
    real = {**payload, "dryRun": False}
    first = await gql.data(APPEASE, {"input": real})
    assert first["appeasementCreate"]["dryRun"] is False
    assert first == await gql.data(APPEASE, {"input": real})
    assert len(await rows(db, Refund, Refund.order_id == made.id)) == 1


async def test_tax_is_the_lines_rate_rounded_half_even(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db, lines=4)
    await set_line(db, made, 3, tax_rate=Decimal("0.19"))
    await set_line(db, made, 4, tax_rate=Decimal("0.25"))
    await gql.login("agent")
    cases = [
        (1, "0.05", "0.01"),  # 0.010
        (2, "0.25", "0.05"),  # 0.050
        (3, "1.50", "0.28"),  # 0.285: half-even 0.28, half-up would say 0.29
        (4, "0.50", "0.12"),  # 0.125: half-even 0.12, half-up would say 0.13
        (3, "0.50", "0.10"),  # 0.095: the 9 is odd, so up
    ]
    for number, net, tax in cases:
        result = success(await appease(gql, made, number, net), "AppeasementCreateSuccess")
        assert result["refund"]["tax"]["amount"] == tax, (number, net)
        gross = str(Decimal(net) + Decimal(tax))
        assert result["refund"]["gross"]["amount"] == gross
    stored = await rows(db, Refund, Refund.order_id == made.id)
    assert [r.tax for r in stored] == [Decimal(tax) for _, _, tax in cases]


async def test_cancelling_gives_the_amount_back_once(db: Database, gql: GraphQLClient) -> None:
    made = await made_order(db)
    await gql.login("agent")
    created = success(await appease(gql, made, 1, "30.00"), "AppeasementCreateSuccess")
    action_id = created["action"]["id"]
    await gql.login("supervisor")
    done = success(await cancel(gql, action_id), "AppeasementCancelSuccess")
    assert done["action"]["status"] == "CANCELLED"
    assert done["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"
    (refund,) = await rows(db, Refund, Refund.order_id == made.id)
    assert refund.status is RefundStatus.CANCELLED
    entries = await rows(
        db,
        HistoryEntry,
        HistoryEntry.order_id == made.id,
        HistoryEntry.kind == HistoryKind.APPEASEMENT,
    )
    assert [e.message for e in entries] == [
        "Appeasement of 30.00 GBP on line 1 (Late delivery) requested",
        "Appeasement of 30.00 GBP on line 1 cancelled by Sam Supervisor",
    ]
    assert entries[1].details["amount"] == "30.00" and entries[1].details["refundIds"] == [
        refund.id
    ]
    messages = await rows(db, OutboxMessage, OutboxMessage.order_id == made.id)
    assert [(m.destination, m.topic) for m in messages] == [
        ("PAYMENT", "credit_note"),
        ("PAYMENT", "credit_note_cancelled"),
    ]
    assert messages[1].payload["refundId"] == refund.id
    assert (messages[1].payload["net"], messages[1].payload["gross"]) == ("30.00", "36.00")

    before = await snapshot(db)
    again = await cancel(gql, action_id)
    assert again["__typename"] == "IllegalTransition" and again["status"] == "CANCELLED"
    assert again["field"] == ["input", "actionId"]
    assert await snapshot(db) == before


async def test_only_unreleased_appeasements_can_be_cancelled(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db)
    await gql.login("supervisor")
    pending = success(await appease(gql, made, 1, "10"), "AppeasementCreateSuccess")
    released = success(await appease(gql, made, 2, "10"), "AppeasementCreateSuccess")
    async with db.write() as s:
        for gid, status in (
            (pending["action"]["id"], ActionStatus.PENDING_RELEASE),
            (released["action"]["id"], ActionStatus.RELEASED),
        ):
            action = await s.get(PostsalesAction, _node_id(gid))
            assert action is not None
            action.status = status
            refund = await s.scalar(select(Refund).where(Refund.action_id == action.id))
            assert refund is not None
            refund.status = RefundStatus(status.value)
        await s.commit()
    before = await snapshot(db)
    refused = await cancel(gql, released["action"]["id"])
    assert refused["__typename"] == "IllegalTransition" and refused["status"] == "RELEASED"
    assert await snapshot(db) == before
    ok = success(await cancel(gql, pending["action"]["id"]), "AppeasementCancelSuccess")
    assert ok["order"]["lines"][0]["refundableAmount"]["amount"] == "100.00"


def _node_id(gid: str) -> int:
    return int(GlobalID.from_id(gid).node_id)


async def test_cancel_refuses_unknown_ids_and_other_kinds(db: Database, gql: GraphQLClient) -> None:
    async with db.read() as s:
        a_return = await s.scalar(
            select(PostsalesAction.id).where(PostsalesAction.kind == ActionKind.RETURN).limit(1)
        )
    assert a_return is not None
    await gql.login("supervisor")
    before = await snapshot(db)
    for gid in (encode_id("PostsalesAction", a_return), encode_id("PostsalesAction", 10**9), "x"):
        result = await cancel(gql, gid)
        assert result["__typename"] == "NotFound" and result["field"] == ["input", "actionId"]
    assert await snapshot(db) == before


async def test_a_replay_returns_the_first_answer_and_another_input_is_refused(
    db: Database, gql: GraphQLClient
) -> None:
    made = await made_order(db)
    await gql.login("agent")
    first = await appease(gql, made, 1, "5.00", idempotencyKey="k-1")
    assert first == await appease(gql, made, 1, "5.0", idempotencyKey="k-1")  # same amount
    assert len(await rows(db, Refund, Refund.order_id == made.id)) == 1
    before = await snapshot(db)
    other = await appease(gql, made, 1, "6.00", idempotencyKey="k-1")
    assert other["__typename"] == "IdempotencyKeyReused"
    assert other["field"] == ["input", "idempotencyKey"]
    assert await snapshot(db) == before


FULL_ACTION = """id kind status amount { amount currency } reason comment createdAt updatedAt
  noRefund approvalReason decidedAt decisionComment createdBy { username displayName }
  lines { id number status refundableAmount { amount } }
  actionLines { line { id number } reason disposition receivedAt newSku }
  refunds { kind status net { amount } tax { amount } gross { amount } line { number } }"""
FULL_ORDER = """id number version status orderType currency language vatCountry purchasedAt
  reference amountDue { amount } grandTotal { amount } netTotal { amount } tax { amount }
  shippingRefundableAmount { amount } shippingAddress { name line1 city postalCode country }
  lines { id number status refundableAmount { amount } }
  history(last: 1) {
    kind message actor { username } details { net { amount } reason lineNumbers } }"""
# The statements that read back what an appeasement wrote: the order by id and its lines,
# the action by id, its refunds and its lines.
READ_BACK = (
    'WHERE "order".id =',
    "WHERE line.order_id IN",
    "WHERE postsales_action.id =",
    "WHERE refund.action_id =",
    "WHERE postsales_action_line.action_id IN",
)


async def test_the_answer_shows_what_the_appeasement_wrote_without_reading_it_back(
    db: Database, gql: GraphQLClient, sql_log: StatementLog
) -> None:
    """The order, the action, its lines and its refund in the answer are the rows just
    written (none is read back after the commit), and they are what later reads show."""
    made = await made_order(db)
    await gql.login("agent")
    query = f"""mutation($input: AppeasementCreateInput!) {{ appeasementCreate(input: $input) {{
      __typename ... on AppeasementCreateSuccess {{ order {{ {FULL_ORDER} }}
        action {{ {FULL_ACTION} }} refund {{ {REFUND} }} }} }} }}"""
    sql_log.statements.clear()
    payload = {"lineId": made.lines[2], "amount": "5.00", "reason": "LATE_DELIVERY"}
    answer = success(
        (await gql.data(query, {"input": payload}))["appeasementCreate"], "AppeasementCreateSuccess"
    )
    read_back = [
        s
        for s in sql_log.statements
        if s.lstrip().upper().startswith("SELECT") and any(w in s for w in READ_BACK)
    ]
    assert read_back == []
    later = await gql.data(
        f"""query($id: ID!, $number: String!) {{ order(number: $number) {{ {FULL_ORDER} }}
          node(id: $id) {{ ... on PostsalesAction {{ {FULL_ACTION} }} }} }}""",
        {"id": answer["action"]["id"], "number": answer["order"]["number"]},
    )
    assert answer["order"] == later["order"]
    assert answer["action"] == later["node"]
    assert answer["refund"] == {
        "line": {"id": made.lines[2], "number": 2},
        "net": {"amount": "5.00", "currency": "GBP"},
        "tax": {"amount": "1.00"},
        "gross": {"amount": "6.00"},
        "remainingRefundable": {"amount": "95.00"},
    }


async def test_rows_with_a_column_not_loaded_are_read_back_instead(
    db: Database, gql: GraphQLClient
) -> None:
    """``Written.complete``: rows are shown as they were written only when every column holds
    its value; one left expired (or never loaded) sends the answer to read them."""
    made = await made_order(db)
    await gql.login("agent")
    success(await appease(gql, made, 2, "5.00"), "AppeasementCreateSuccess")
    async with db.read() as session:
        order, action, refund, line = (
            await session.execute(
                select(Order, PostsalesAction, Refund, Line)
                .join(PostsalesAction, PostsalesAction.order_id == Order.id)
                .join(Refund, Refund.action_id == PostsalesAction.id)
                .join(Line, Line.id == Refund.line_id)
                .where(Order.id == made.id)
            )
        ).one()
        assert Written(order, action, refunds=((refund, line),)).complete()
        session.expire(refund, ["net"])
        assert not Written(order, action, refunds=((refund, line),)).complete()
        assert not Written(order, PostsalesAction(order_id=order.id)).complete()
