"""Who may manage whom: which roles (and so which users) a viewer manages, and what a viewer
may grant. Pure functions: no database.

A viewer manages a role when all three hold: its level is below theirs (level 1: any level,
their own included); its permissions are ones they hold, INTEGRATION never counting (it is
granted on the server only, ``resolvers.admin.operator``); its stores are ones they see (ALL
only for a viewer with ALL; NONE for anybody). Managing a role means seeing it, assigning it,
changing it, and seeing and changing the users who hold it; every change must leave the role
within the same bounds. A role or user the viewer does not manage behaves exactly like one
that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import true

from auth.viewer import Viewer
from models import Role, Store
from models.enums import Permission, StoreAccess
from resolvers.errors import NotAllowed

_ORDER = {p: i for i, p in enumerate(Permission)}


@dataclass(frozen=True)
class RoleView:
    """A role with what the admin screens show: its stores (every store for ALL), its users."""

    role: Role
    stores: list[Store]
    user_count: int


def held_permissions(role: Role) -> set[Permission]:
    """The role's permissions (names no longer known are ignored)."""
    return {Permission(p) for p in role.permissions if p in _ORDER}


def permission_list(permissions: Iterable[Permission]) -> list[str]:
    """Permission names as a role stores them: unique, in the enum's order."""
    return [p.value for p in sorted(set(permissions), key=_ORDER.__getitem__)]


def manages_level(viewer: Viewer, level: int) -> bool:
    """True when ``viewer`` manages roles of ``level``: below their own, or any for level 1."""
    return viewer.role_level == 1 or level > viewer.role_level


def managed_levels(viewer: Viewer) -> Any:
    """A SQL condition on ``Role``: the levels the viewer manages (a first, coarse filter)."""
    return true() if viewer.role_level == 1 else Role.level > viewer.role_level


def grantable(viewer: Viewer) -> frozenset[Permission]:
    """The permissions the viewer may grant through the API: their own, never INTEGRATION."""
    return viewer.permissions - {Permission.INTEGRATION}


def stores_within(viewer: Viewer, access: StoreAccess, stores: Iterable[Store]) -> bool:
    """True when a role with ``access`` to ``stores`` sees no store the viewer does not."""
    if viewer.all_stores or access is StoreAccess.NONE:
        return True
    if access is StoreAccess.ALL:
        return False
    return all(viewer.sees_store(s.id) for s in stores)


def manages(viewer: Viewer, view: RoleView) -> bool:
    """True when ``viewer`` manages the role, and so its users: a level they manage, only
    permissions they may grant, only stores they see. Anything else is invisible to them."""
    role = view.role
    return (
        manages_level(viewer, role.level)
        and held_permissions(role) <= grantable(viewer)
        and stores_within(viewer, role.store_access, view.stores)
    )


def _names(permissions: Iterable[Permission]) -> str:
    return ", ".join(p.value for p in sorted(permissions, key=_ORDER.__getitem__))


def check_permission_grant(viewer: Viewer, permissions: Iterable[Permission]) -> None:
    """Refuse a role holding INTEGRATION, or any permission the viewer's own role lacks."""
    wanted = set(permissions)
    if Permission.INTEGRATION in wanted:
        raise NotAllowed(
            "INTEGRATION is for machine clients and is granted only on the server, with "
            "'csdesk role create-integration' or 'csdesk user create --integration'; never "
            "through the API.",
            field=["input", "permissions"],
        )
    lacking = wanted - viewer.permissions
    if lacking:
        raise NotAllowed(
            f"You cannot grant {_names(lacking)}: your own role does not hold "
            f"{'it' if len(lacking) == 1 else 'them'}.",
            field=["input", "permissions"],
        )


def check_store_grant(
    viewer: Viewer, access: StoreAccess, stores: Iterable[Store], field: list[str]
) -> None:
    """Refuse ALL from a viewer without ALL, and any store the viewer does not see."""
    if access is StoreAccess.ALL and not viewer.all_stores:
        raise NotAllowed(
            "You cannot grant access to ALL stores: your own role sees only some stores.",
            field=field,
        )
    lacking = sorted(s.code for s in stores if not viewer.sees_store(s.id))
    if lacking:
        raise NotAllowed(
            f"You cannot grant stores your own role does not see: {', '.join(lacking)}.",
            field=field,
        )
