"""The outbox worker against a real SMTP server and real HTTP receivers on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.config import Settings
from core.db import Database
from models import HistoryEntry, Order, OutboxMessage, PostsalesAction, Refund, Store
from models.enums import ActionKind, HistoryKind, OutboxStatus, RefundStatus
from resolvers.journal import enqueue
from resolvers.outbox import worker
from resolvers.outbox.channels import SIGNATURE_HEADER, sign
from tests.receivers import SmtpServer, WebhookReceiver

SECRET = "test-secret"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def settings_for(db: Database, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": str(db.engine.url),
        "webhook_secret": SECRET,
        "mail_dir": str(tmp_path / "mail"),
        "spool_dir": str(tmp_path / "spool"),
        "outbox_retry_base_seconds": 0.05,
        "outbox_lease_seconds": 30,
    }
    values.update(overrides)
    return Settings(**values)


async def order_of_store(db: Database, code: str) -> Order:
    async with db.read() as s:
        order = (
            await s.scalars(select(Order).join(Store).where(Store.code == code).order_by(Order.id))
        ).first()
    assert order is not None
    return order


async def queue(db: Database, destination: str, topic: str, payload: dict, order_id: int) -> int:
    async with db.write() as s:
        message = enqueue(s, destination, topic, payload, order_id)
        await s.flush()
        await s.commit()
        return message.id


async def message(db: Database, message_id: int) -> OutboxMessage:
    async with db.read() as s:
        row = await s.get(OutboxMessage, message_id)
    assert row is not None
    return row


async def drain_pending(db: Database) -> None:
    """Messages the seed left behind are not these tests' business: mark them delivered."""
    async with db.write() as s:
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.DELIVERED)
        )
        await s.commit()


async def test_emails_go_over_smtp_once_in_the_orders_language(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    await drain_pending(db)
    settings = settings_for(db, tmp_path, smtp_url=smtp.url)
    de = await order_of_store(db, "DE")
    uk = await order_of_store(db, "UK")
    ids = [
        await queue(db, "EMAIL", "order_cancelled", {"wholeOrder": True}, de.id),
        await queue(db, "EMAIL", "order_cancelled", {"wholeOrder": False}, uk.id),
    ]
    report = await worker.run_once(db, settings)
    assert report.delivered == 2 and report.dead == 0
    assert len(smtp.messages) == 2
    by_to = {m["To"]: m for m in smtp.messages}
    german = by_to[de.customer_email]
    assert german["Subject"] == f"Ihre Bestellung {de.number} wurde storniert"
    body = german.get_payload(decode=True)
    assert isinstance(body, bytes) and de.customer_name in body.decode()
    english = by_to[uk.customer_email]
    assert english["Subject"] == f"Your order {uk.number} has been cancelled in part"
    assert {m["X-Csdesk-Delivery"] for m in smtp.messages} == {str(i) for i in ids}
    # The history records each email with its recipient and subject.
    async with db.read() as s:
        entry = (
            await s.scalars(
                select(HistoryEntry)
                .where(
                    HistoryEntry.order_id == de.id, HistoryEntry.kind == HistoryKind.CUSTOMER_EMAIL
                )
                .order_by(HistoryEntry.id.desc())
            )
        ).first()
    assert entry is not None
    assert entry.details["recipient"] == de.customer_email
    assert entry.details["subject"] == german["Subject"]
    # Nothing is sent twice.
    assert (await worker.run_once(db, settings)).delivered == 0
    assert len(smtp.messages) == 2


async def test_without_smtp_emails_are_written_to_the_mail_folder(
    db: Database, tmp_path: Path
) -> None:
    await drain_pending(db)
    settings = settings_for(db, tmp_path)
    uk = await order_of_store(db, "UK")
    message_id = await queue(db, "EMAIL", "order_cancelled", {}, uk.id)
    await worker.run_once(db, settings)
    mail = (tmp_path / "mail" / f"{message_id:08d}.eml").read_text()
    assert f"Subject: Your order {uk.number} has been cancelled" in mail


async def test_webhooks_are_signed_and_a_credit_note_goes_pending_release(
    db: Database, tmp_path: Path, hook: WebhookReceiver
) -> None:
    await drain_pending(db)
    async with db.read() as s:
        found = (
            await s.execute(
                select(Refund, PostsalesAction)
                .join(PostsalesAction, PostsalesAction.id == Refund.action_id)
                .where(
                    Refund.status == RefundStatus.REQUESTED,
                    PostsalesAction.kind == ActionKind.APPEASEMENT,
                )
                .order_by(Refund.id)
            )
        ).first()
    assert found is not None
    refund, action = found
    settings = settings_for(db, tmp_path, payment_webhook_url=hook.url)
    message_id = await queue(
        db,
        "PAYMENT",
        "credit_note",
        {"refundId": refund.id, "gross": str(refund.gross)},
        refund.order_id,
    )
    assert (await worker.run_once(db, settings)).delivered == 1
    assert len(hook.deliveries) == 1
    delivery = hook.deliveries[0]
    assert delivery.headers[SIGNATURE_HEADER] == sign(SECRET, delivery.body)
    assert delivery.headers["X-Csdesk-Delivery"] == str(message_id)
    assert delivery.json["payload"]["refundId"] == refund.id
    assert delivery.json["deliveryId"] == str(message_id)
    async with db.read() as s:
        pending = await s.get(Refund, refund.id)
        appeasement = await s.get(PostsalesAction, action.id)
    assert pending is not None and pending.status is RefundStatus.PENDING_RELEASE
    assert appeasement is not None and appeasement.status.value == "PENDING_RELEASE"


async def test_a_receiver_that_is_down_gets_retries_with_backoff(
    db: Database, tmp_path: Path
) -> None:
    await drain_pending(db)
    hook = WebhookReceiver(status=503).start()
    try:
        settings = settings_for(db, tmp_path, warehouse_webhook_url=hook.url)
        order = await order_of_store(db, "UK")
        message_id = await queue(db, "WAREHOUSE", "cancellation", {"order": order.number}, order.id)
        before = dt.datetime.now(dt.UTC)
        report = await worker.run_once(db, settings)
        assert report.retried == 1 and report.delivered == 0
        first = await message(db, message_id)
        assert first.status is OutboxStatus.PENDING and first.attempts == 1
        assert "503" in (first.last_error or "")
        assert first.next_attempt_at >= before + dt.timedelta(seconds=0.05)
        await asyncio.sleep(0.06)
        await worker.run_once(db, settings)
        second = await message(db, message_id)
        assert second.attempts == 2
        # The second delay doubles the first.
        assert second.next_attempt_at - first.next_attempt_at >= dt.timedelta(seconds=0.05)
        hook.status = 200  # the receiver comes back
        await asyncio.sleep(0.11)
        assert (await worker.run_once(db, settings)).delivered == 1
        assert (await message(db, message_id)).status is OutboxStatus.DELIVERED
        assert [d.json["deliveryId"] for d in hook.deliveries] == [str(message_id)] * 3
    finally:
        hook.stop()


async def test_an_unreachable_receiver_is_retried_and_then_dead(
    db: Database, tmp_path: Path
) -> None:
    await drain_pending(db)
    settings = settings_for(
        db,
        tmp_path,
        payment_webhook_url="http://127.0.0.1:9/closed",
        outbox_max_attempts=2,
        outbox_retry_base_seconds=0.01,
    )
    order = await order_of_store(db, "UK")
    message_id = await queue(db, "PAYMENT", "void", {"order": order.number}, order.id)
    await worker.run_once(db, settings)
    await asyncio.sleep(0.02)
    report = await worker.run_once(db, settings)
    assert report.dead == 1
    dead = await message(db, message_id)
    assert dead.status is OutboxStatus.DEAD and dead.attempts == 2 and dead.last_error
    async with db.write() as s:
        await worker.retry(s, message_id)
        await s.commit()
    assert (await message(db, message_id)).status is OutboxStatus.PENDING


async def test_a_lease_hides_a_claimed_message_until_it_runs_out(
    db: Database, tmp_path: Path, hook: WebhookReceiver
) -> None:
    """A worker that claimed a message and died: the message is delivered after the lease."""
    await drain_pending(db)
    settings = settings_for(db, tmp_path, warehouse_webhook_url=hook.url, outbox_lease_seconds=0.2)
    order = await order_of_store(db, "UK")
    message_id = await queue(db, "WAREHOUSE", "return_expected", {"o": order.number}, order.id)
    claimed = await worker.claim(db, settings)
    assert [m.id for m in claimed] == [message_id]  # ... and the worker dies here
    assert (await worker.run_once(db, settings)).delivered == 0
    await asyncio.sleep(0.25)
    assert (await worker.run_once(db, settings)).delivered == 1
    assert (await message(db, message_id)).status is OutboxStatus.DELIVERED


async def test_unknown_topics_and_destinations_do_not_crash_the_worker(
    db: Database, tmp_path: Path
) -> None:
    await drain_pending(db)
    settings = settings_for(db, tmp_path, outbox_max_attempts=1)
    order = await order_of_store(db, "UK")
    bad = await queue(db, "EMAIL", "no_such_template", {}, order.id)
    good = await queue(db, "WAREHOUSE", "cancellation", {}, order.id)
    report = await worker.run_once(db, settings)
    assert report.dead == 1 and report.delivered == 1
    assert "no email template" in ((await message(db, bad)).last_error or "")
    assert (await message(db, good)).status is OutboxStatus.DELIVERED
    async with db.read() as s:
        count = await s.scalar(select(func.count()).select_from(OutboxMessage))
    assert count
