"""One declaration per guarded field: the ``@requiresPermission`` directive that shows in the
schema and the permission check that enforces it are the same object.

    @strawberry.field(extensions=requires(Permission.ORDER_VIEW))

A missing or invalid login is a top-level error with ``extensions.code = "UNAUTHENTICATED"``;
a missing permission ``"FORBIDDEN"``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from models.enums import Permission

PermissionEnum = strawberry.enum(Permission, name="Permission")


class Unauthenticated(GraphQLError):
    def __init__(self, message: str = "Sign in first: this field needs a valid login.") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    def __init__(self, permission: Permission) -> None:
        super().__init__(
            f"Your role lacks the {permission.value} permission this field needs.",
            extensions={"code": "FORBIDDEN", "permission": permission.value},
        )


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requiresPermission",
    description="The viewer's role must hold this permission to use the field.",
)
class RequiresPermissionDirective:
    permission: Permission


def _viewer(info: Any) -> Any:
    viewer = info.context.viewer
    if viewer is None:
        raise Unauthenticated()
    return viewer


class RequiresPermission(BasePermission):
    """Enforces the permission that its own ``@requiresPermission`` directive declares."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        # A @schema_directive class is a dataclass at run time; mypy sees only the decorator.
        self._schema_directive = RequiresPermissionDirective(permission=permission)  # type: ignore[misc]

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        viewer = _viewer(info)
        if not viewer.has(self.permission):
            raise Forbidden(self.permission)
        return True


class IsAuthenticated(BasePermission):
    message = "Sign in first: this field needs a valid login."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        _viewer(info)
        return True


def requires(permission: Permission) -> list[FieldExtension]:
    """Field extensions guarding a field with ``permission`` (shown as a directive)."""
    return [PermissionExtension([RequiresPermission(permission)])]


def login_required() -> list[FieldExtension]:
    """Field extensions for fields any signed-in user may use (no directive)."""
    return [PermissionExtension([IsAuthenticated()], use_directives=False)]
