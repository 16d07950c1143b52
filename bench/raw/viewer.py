"""The same sign-in check as csdesk: bearer token → SHA-256 → session, user, role and store
scope in one statement; revoked, inactive and idle-expired sessions refused; ``last_used_at``
refreshed at most once a minute."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bench.raw.db import Connection, RawDatabase

IDLE_TIMEOUT = dt.timedelta(hours=12)
TOUCH_INTERVAL = dt.timedelta(minutes=1)

_VIEWER_SQL = """
SELECT t.id, t.kind, t.last_used_at, t.revoked_at, u.active, u.time_zone,
       r.permissions, r.store_access, rs.store_id
FROM session_token t
JOIN "user" u ON u.id = t.user_id
JOIN role r ON r.id = u.role_id
LEFT OUTER JOIN role_store rs ON rs.role_id = r.id
WHERE t.token_hash = ?
"""


@dataclass(frozen=True)
class RawViewer:
    permissions: frozenset[str]
    # None: every store; otherwise the store ids the viewer sees (maybe none).
    store_ids: frozenset[int] | None
    zone: ZoneInfo

    def sees(self, store_id: int) -> bool:
        return self.store_ids is None or store_id in self.store_ids


def bearer(authorization: str | None) -> str | None:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


async def viewer_for_token(conn: Connection, db: RawDatabase, token: str) -> RawViewer | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    rows = await conn.fetch(_VIEWER_SQL, (digest,))
    if not rows:
        return None
    token_id, kind, last_used, revoked, active, zone, permissions, access, _ = rows[0]
    if revoked is not None or not active:
        return None
    now = dt.datetime.now(dt.UTC)
    idle = now - db.instant(last_used)
    if kind == "SESSION" and idle > IDLE_TIMEOUT:
        return None
    if idle > TOUCH_INTERVAL:
        await conn.execute(
            "UPDATE session_token SET last_used_at = ? WHERE id = ?",
            (db.bind_instant(now), token_id),
        )
    if isinstance(permissions, str):
        permissions = json.loads(permissions)
    stores: frozenset[int] | None = None
    if access == "NONE":
        stores = frozenset()
    elif access == "SPECIFIC":
        stores = frozenset(r[-1] for r in rows if r[-1] is not None)
    return RawViewer(frozenset(permissions), stores, ZoneInfo(zone))
