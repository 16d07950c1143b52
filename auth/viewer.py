"""The signed-in user as the rest of the request sees them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.enums import Permission, StoreAccess


@dataclass(frozen=True)
class Viewer:
    user_id: int
    username: str
    display_name: str
    time_zone: str
    role_id: int
    role_name: str
    role_level: int
    permissions: frozenset[Permission]
    store_access: StoreAccess
    # Store ids of a SPECIFIC role; ignored for ALL and NONE.
    store_ids: frozenset[int]
    token_id: int | None = None
    # The role's appeasement limits: (currency, per appeasement, per day), None = no limit.
    appeasement_limits: tuple[tuple[str, Decimal | None, Decimal | None], ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def all_stores(self) -> bool:
        return self.store_access is StoreAccess.ALL

    def sees_store(self, store_id: int) -> bool:
        """True when orders of ``store_id`` are visible to this viewer."""
        if self.store_access is StoreAccess.ALL:
            return True
        if self.store_access is StoreAccess.NONE:
            return False
        return store_id in self.store_ids

    def visible_store_ids(self) -> frozenset[int] | None:
        """The store ids this viewer sees, or None for every store (present and future)."""
        if self.store_access is StoreAccess.ALL:
            return None
        if self.store_access is StoreAccess.NONE:
            return frozenset()
        return self.store_ids
