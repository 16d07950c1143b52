"""The worker under stress: two workers at once, and a worker killed mid-delivery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

from core.db import Database
from models import OutboxMessage
from models.enums import OutboxStatus
from resolvers.outbox import worker
from tests.receivers import WebhookReceiver
from tests.test_worker import drain_pending, message, order_of_store, queue, settings_for


async def test_two_workers_deliver_500_messages_without_duplicates(
    db: Database, tmp_path: Path
) -> None:
    await drain_pending(db)
    hook = WebhookReceiver().start()
    try:
        order = await order_of_store(db, "UK")
        async with db.write() as s:
            await s.execute(
                insert(OutboxMessage),
                [
                    {
                        "destination": "WAREHOUSE",
                        "topic": "stress",
                        "payload": {"n": n},
                        "order_id": order.id,
                    }
                    for n in range(500)
                ],
            )
            await s.commit()
        settings = settings_for(db, tmp_path, warehouse_webhook_url=hook.url)
        second = Database.connect(db.engine.url.render_as_string(hide_password=False))
        try:
            reports = await asyncio.gather(
                worker.run_once(db, settings, batch=10),
                worker.run_once(second, settings, batch=10),
            )
        finally:
            await second.dispose()
        assert sum(r.delivered for r in reports) == 500
        assert all(r.delivered > 0 for r in reports), reports  # both took part
        counts = Counter(d.json["deliveryId"] for d in hook.deliveries)
        assert len(counts) == 500 and set(counts.values()) == {1}
        async with db.read() as s:
            left = await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != OutboxStatus.DELIVERED)
            )
        assert left == 0
    finally:
        hook.stop()


async def test_a_worker_killed_mid_delivery_loses_nothing(db: Database, tmp_path: Path) -> None:
    await drain_pending(db)
    hook = WebhookReceiver(hang_first=30).start()
    try:
        order = await order_of_store(db, "DE")
        message_id = await queue(db, "WAREHOUSE", "cancellation", {"o": order.number}, order.id)
        env = {
            **os.environ,
            "CSDESK_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "CSDESK_WAREHOUSE_WEBHOOK_URL": hook.url,
            "CSDESK_OUTBOX_LEASE_SECONDS": "1",
        }
        proc = subprocess.Popen(  # noqa: ASYNC220 (a real process, to kill it)
            [sys.executable, "-m", "csdesk", "worker", "--poll", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            arrived = await asyncio.to_thread(hook.arrived.wait, 30)
            assert arrived, "the worker never delivered"
            proc.send_signal(signal.SIGKILL)  # killed while the receiver holds the request
        finally:
            proc.wait(timeout=10)
        claimed = await message(db, message_id)
        assert claimed.status is OutboxStatus.PENDING and claimed.attempts == 1
        await asyncio.sleep(1.1)  # the lease runs out
        settings = settings_for(db, tmp_path, warehouse_webhook_url=hook.url)
        assert (await worker.run_once(db, settings)).delivered == 1
        assert (await message(db, message_id)).status is OutboxStatus.DELIVERED
        ids = [d.json["deliveryId"] for d in hook.deliveries]
        assert ids[-1] == str(message_id)  # same delivery id: the receiver can de-duplicate
    finally:
        hook.stop()
