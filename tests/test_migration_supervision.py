"""Migration 0004_supervision on a database that holds roles: administrators (every
permission but INTEGRATION) gain APPEASEMENT_APPROVE, other roles nothing, and no role gets a
limit (a role without limits appeases as before)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from csdesk.migrate import upgrade

ADMIN = [
    "ORDER_VIEW", "COMMENT_ADD", "EXCHANGE_CREATE", "RESHIPMENT_CREATE", "APPEASEMENT_CREATE",
    "APPEASEMENT_CANCEL", "RETURN_CREATE", "RETURN_APPROVE", "RETURN_CANCEL", "ORDER_CANCEL",
    "ORDER_EDIT", "REFUND_RETRY", "USER_MANAGE", "SETTINGS_MANAGE",
]  # fmt: skip


def test_administrators_gain_the_approval_permission(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    upgrade(f"sqlite+aiosqlite:///{path}", "0003")
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO role (name, level, permissions, store_access) VALUES (?, ?, ?, 'ALL')",
            [("Admins", 1, json.dumps(ADMIN)), ("Agents", 3, json.dumps(["ORDER_VIEW"]))],
        )
    upgrade(f"sqlite+aiosqlite:///{path}", "0004_supervision")
    assert _roles(path) == {
        "Admins": ([*ADMIN, "APPEASEMENT_APPROVE"], None),
        "Agents": (["ORDER_VIEW"], None),
    }
    # The later migrations still know them for administrators (0006: SCHEMA_INTROSPECT).
    upgrade(f"sqlite+aiosqlite:///{path}")
    assert _roles(path) == {
        "Admins": ([*ADMIN, "APPEASEMENT_APPROVE", "SCHEMA_INTROSPECT"], None),
        "Agents": (["ORDER_VIEW"], None),
    }


def _roles(path: Path) -> dict[str, tuple[list[str], object]]:
    with sqlite3.connect(path) as conn:
        return {
            name: (json.loads(permissions), limits)
            for name, permissions, limits in conn.execute(
                "SELECT name, permissions, appeasement_limits FROM role"
            )
        }
