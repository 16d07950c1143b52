"""The worker's typed pieces: a channel for every destination, the report of a run with the
error of each failed attempt (in process and from ``csdesk worker --once``), and the
administrators' destination filter."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx

from core.db import Database
from models.enums import Destination
from tests.conftest import GraphQLClient
from tests.test_worker import drain_pending, order_of_store, queue, settings_for
from worker import runner
from worker.channels import channels_for


async def test_every_destination_has_a_channel(db: Database, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as http:
        channels = channels_for(db, settings_for(db, tmp_path), http)
    assert set(channels) == set(Destination)


async def test_the_report_lists_each_failed_attempt(db: Database, tmp_path: Path) -> None:
    await drain_pending(db)
    settings = settings_for(
        db, tmp_path, payment_webhook_url="http://127.0.0.1:9/closed", outbox_max_attempts=1
    )
    order = await order_of_store(db, "UK")
    failing = await queue(db, Destination.PAYMENT, "void", {"o": order.number}, order.id)
    await queue(db, Destination.WAREHOUSE, "cancellation", {"o": order.number}, order.id)
    report = await runner.run_once(db, settings)
    assert (report.delivered, report.retried, report.dead) == (1, 0, 1)
    [failure] = report.errors
    assert failure.message_id == failing
    assert failure.destination is Destination.PAYMENT and failure.topic == "void"
    assert failure.outcome is runner.Outcome.DEAD
    assert "127.0.0.1:9" in failure.error


async def test_worker_once_prints_each_failure(db: Database, tmp_path: Path) -> None:
    await drain_pending(db)
    order = await order_of_store(db, "UK")
    failing = await queue(db, Destination.WAREHOUSE, "cancellation", {}, order.id)
    env = {
        **os.environ,
        "CSDESK_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "CSDESK_WAREHOUSE_WEBHOOK_URL": "http://127.0.0.1:9/closed",
        "CSDESK_SPOOL_DIR": str(tmp_path / "spool"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "csdesk",
        "worker",
        "--once",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err
    text = err.decode()
    assert f"message {failing} (WAREHOUSE cancellation) retry: http://127.0.0.1:9/closed" in text
    assert "0 delivered, 1 to retry later, 0 dead" in text


MESSAGES = """query($d: String) { outboxMessages(filter: {destination: $d}, first: 5) {
  totalCount edges { node { destination } } } }"""


async def test_the_destination_filter_takes_any_text(db: Database, gql: GraphQLClient) -> None:
    order = await order_of_store(db, "UK")
    await queue(db, Destination.PAYMENT, "void", {}, order.id)
    await queue(db, Destination.WAREHOUSE, "cancellation", {}, order.id)
    await gql.login("admin")
    found = (await gql.data(MESSAGES, {"d": " payment "}))["outboxMessages"]
    assert found["totalCount"] > 0
    assert {e["node"]["destination"] for e in found["edges"]} == {"PAYMENT"}
    nothing = (await gql.data(MESSAGES, {"d": "NOWHERE"}))["outboxMessages"]
    assert nothing == {"totalCount": 0, "edges": []}
