"""Users as other types show them (e.g. who created an action) and as ``users`` lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from auth.permissions import requires
from models import User as UserRow
from models.enums import Permission
from resolvers.admin import RoleView
from schema import ids
from schema.context import Info

if TYPE_CHECKING:
    from schema.admin import Role


@strawberry.type(description="A csdesk user.")
class User:
    id: strawberry.ID = strawberry.field(description="Global id (type User).")
    username: str
    display_name: str
    time_zone: str = strawberry.field(description="IANA time zone, e.g. Europe/London.")
    active: bool = strawberry.field(description="False: the user can no longer sign in.")
    row: strawberry.Private[UserRow]
    # Preloaded by the admin lists and mutations, so that `users { role }` costs no query per user.
    role_view: strawberry.Private[RoleView | None] = None

    @classmethod
    def brief(cls, row: UserRow, role: RoleView | None = None) -> User:
        return cls(
            id=ids.encode("User", row.id),
            username=row.username,
            display_name=row.display_name,
            time_zone=row.time_zone,
            active=row.active,
            row=row,
            role_view=role,
        )

    @strawberry.field(
        description="The user's role; null when it is outside the roles you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    async def role(self, info: Info) -> Annotated[Role, strawberry.lazy("schema.admin")] | None:
        from schema.admin import Role, visible_role_views

        view = self.role_view
        if view is None:
            view = (await visible_role_views(info)).get(self.row.role_id)
        return Role.of(view) if view is not None else None
