"""``csdesk import events``: warehouse events replayed from a JSON Lines file through the code of
the integration mutations, line by line, idempotent on the event id, with a dry run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from csdesk.cli import main
from models import HistoryEntry, Line, Order, Shipment
from models.enums import ActorKind, LineStatus, OrderStatus
from tests.action_helpers import snapshot
from tests.factories import make_order


async def run_events(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("CSDESK_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    code: int = await asyncio.to_thread(main, ["import", "events", *args])
    return code


def events_file(tmp_path: Path, *events: dict[str, Any] | str) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in events) + "\n")
    return str(path)


def lifecycle(number: str, prefix: str) -> list[dict[str, Any]]:
    return [
        {"type": "warehouseOrderReleased", "eventId": f"{prefix}-1", "orderNumber": number},
        {
            "type": "warehouseLinesShipped",
            "eventId": f"{prefix}-2",
            "orderNumber": number,
            "lineNumbers": [1, 2],
            "carrier": "DHL",
            "trackingNumber": "JD0001",
            "shippedAt": "2026-11-20T10:00:00+01:00",
        },
        {
            "type": "warehouseLinesDelivered",
            "eventId": f"{prefix}-3",
            "orderNumber": number,
            "lineNumbers": [1, 2],
            "deliveredAt": "2026-11-21T10:00:00Z",
        },
    ]


async def in_review(db: Database) -> Order:
    async with db.write() as s:
        order = await make_order(s, status=OrderStatus.ORDER_REVIEW, lines=2)
        await s.commit()
    return order


async def test_a_file_of_events_moves_the_order_and_rerunning_it_is_safe(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    order = await in_review(db)
    path = events_file(tmp_path, *lifecycle(order.number, "cli"))
    assert await run_events(db, monkeypatch, path, "--verbose") == 0
    out = capsys.readouterr().out
    assert "line 2 (cli-2): applied: warehouseLinesShipped" in out
    assert "applied 3, skipped 0 (handled before), refused 0" in out
    async with db.read() as s:
        status = await s.scalar(select(Order.status).where(Order.id == order.id))
        actors = set(
            await s.scalars(
                select(HistoryEntry.actor_kind).where(
                    HistoryEntry.order_id == order.id, HistoryEntry.kind == "STATUS_CHANGED"
                )
            )
        )
        parcels = list(await s.scalars(select(Shipment).where(Shipment.order_id == order.id)))
    assert status is OrderStatus.DELIVERED
    assert actors == {ActorKind.INTEGRATION}
    assert [p.tracking_number for p in parcels] == ["JD0001"]
    before = await snapshot(db)
    assert await run_events(db, monkeypatch, path) == 0
    assert "applied 0, skipped 3 (handled before), refused 0" in capsys.readouterr().out
    assert await snapshot(db) == before


async def test_refused_lines_are_reported_and_the_others_applied(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    order = await in_review(db)
    released, shipped, delivered = lifecycle(order.number, "mix")
    path = events_file(
        tmp_path,
        released,
        delivered,  # before the shipment: refused
        "{not json",
        {"type": "warehouseLinesLost", "eventId": "x", "orderNumber": order.number},
        {**shipped, "colour": "red"},
        shipped,
    )
    assert await run_events(db, monkeypatch, path) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert errors[0].startswith("line 2 (mix-3): refused: LINE_NOT_ELIGIBLE: Line 1 is ORDERED")
    assert errors[1].startswith("line 3: refused: INVALID_JSON")
    assert errors[2].startswith("line 4 (x): refused: INVALID: type is one of")
    assert errors[3] == (
        "line 5 (mix-2): refused: INVALID: unknown field(s) for warehouseLinesShipped: colour"
    )
    assert "applied 2, skipped 0 (handled before), refused 4" in captured.out
    async with db.read() as s:
        statuses = list(await s.scalars(select(Line.status).where(Line.order_id == order.id)))
    assert statuses == [LineStatus.SHIPPED, LineStatus.SHIPPED]


async def test_a_dry_run_checks_events_in_order_and_writes_nothing(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    order = await in_review(db)
    events = lifecycle(order.number, "dry")
    path = events_file(tmp_path, *events, {**events[1], "eventId": "dry-4"})
    before = await snapshot(db)
    assert await run_events(db, monkeypatch, path, "--dry-run") == 1  # lines shipped twice
    captured = capsys.readouterr()
    assert "line 4 (dry-4): refused: LINE_NOT_ELIGIBLE" in captured.err
    assert "valid 3, skipped 0 (handled before), refused 1; see the errors above; dry run, " \
        "nothing was written" in captured.out  # fmt: skip
    assert await snapshot(db) == before


async def test_the_command_fails_like_a_tool_on_bad_files_and_users(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    assert await run_events(db, monkeypatch, str(tmp_path / "missing.jsonl")) == 2
    assert "cannot read" in capsys.readouterr().err
    path = events_file(
        tmp_path, {"type": "warehouseOrderReleased", "eventId": "u", "orderNumber": "1"}
    )
    assert await run_events(db, monkeypatch, path, "--user", "agent") == 2
    assert "INTEGRATION" in capsys.readouterr().err
    with pytest.raises(SystemExit) as help_exit:
        main(["import", "events", "--help"])
    assert help_exit.value.code == 0
    assert "warehouseLinesShipped" in capsys.readouterr().out
