"""The role hierarchy and the grant checks: which roles a viewer manages, and what a viewer may
grant (permissions, store access, a role to a user). Pure functions: no database."""

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
    """True when ``viewer`` sees and manages roles of ``level``."""
    return viewer.role_level == 1 or level > viewer.role_level


def managed_roles(viewer: Viewer) -> Any:
    """A SQL condition on ``Role``: the levels the viewer manages."""
    return true() if viewer.role_level == 1 else Role.level > viewer.role_level


def _names(permissions: Iterable[Permission]) -> str:
    return ", ".join(p.value for p in sorted(permissions, key=_ORDER.__getitem__))


def check_permission_grant(viewer: Viewer, granted: Iterable[Permission]) -> None:
    """Refuse granting any permission the viewer's own role lacks."""
    lacking = set(granted) - viewer.permissions
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


def check_role_assignable(viewer: Viewer, view: RoleView, field: list[str]) -> None:
    """Assigning a role grants its permissions and stores: the viewer must hold them."""
    perms = held_permissions(view.role)
    lacking = perms - viewer.permissions
    if lacking:
        raise NotAllowed(
            f"You cannot assign the role {view.role.name}: it grants {_names(lacking)}, "
            "which your own role does not hold.",
            field=field,
        )
    try:
        check_store_grant(viewer, view.role.store_access, view.stores, field)
    except NotAllowed as exc:
        raise NotAllowed(
            f"You cannot assign the role {view.role.name}: it sees stores you do not.",
            field=field,
        ) from exc
