"""``userCreate`` and ``userUpdate``: users holding roles the viewer manages (rules in
resolvers.admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.passwords import MIN_PASSWORD_LENGTH
from resolvers import admin
from schema import ids
from schema.context import Info
from schema.errors import AlreadyExists, NotAllowed, NotFound, ValidationFailed
from schema.user import User


@strawberry.input(description="A new user.")
class UserCreateInput:
    username: str
    display_name: str
    role_id: strawberry.ID = strawberry.field(description="A role you manage (Role id).")
    time_zone: str = strawberry.field(description="IANA time zone, e.g. Europe/London.")
    password: str = strawberry.field(description=f"At least {MIN_PASSWORD_LENGTH} characters.")


@strawberry.input(description="Changes to a user; omitted or null fields stay as they are.")
class UserUpdateInput:
    user_id: strawberry.ID
    display_name: str | None = None
    role_id: strawberry.ID | None = None
    time_zone: str | None = None
    active: bool | None = strawberry.field(
        default=None, description="false signs the user out everywhere at once."
    )
    password: str | None = strawberry.field(
        default=None, description="A new password (reset); ends the user's other sessions."
    )


@strawberry.type
class UserCreateSuccess:
    user: User


@strawberry.type
class UserUpdateSuccess:
    user: User


UserCreateResult = Annotated[
    UserCreateSuccess | ValidationFailed | NotFound | NotAllowed | AlreadyExists,
    strawberry.union("UserCreateResult"),
]
UserUpdateResult = Annotated[
    UserUpdateSuccess | ValidationFailed | NotFound | NotAllowed | AlreadyExists,
    strawberry.union("UserUpdateResult"),
]


async def user_create(info: Info, input: UserCreateInput) -> UserCreateResult:
    """Create a user."""
    viewer = info.context.viewer_or_raise()
    role_id = ids.decode(input.role_id, "Role", ["input", "roleId"])
    async with info.context.db.write() as session:
        row, view = await admin.create_user(
            session,
            viewer,
            username=input.username,
            display_name=input.display_name,
            role_id=role_id,
            time_zone=input.time_zone,
            password=input.password,
        )
        await session.commit()
    return UserCreateSuccess(user=User.brief(row, role=view))


async def user_update(info: Info, input: UserUpdateInput) -> UserUpdateResult:
    """Change a user: name, role, time zone, active flag or password."""
    viewer = info.context.viewer_or_raise()
    user_id = ids.decode(input.user_id, "User", ["input", "userId"])
    role_id = ids.decode_optional(input.role_id, "Role", ["input", "roleId"])
    async with info.context.db.write() as session:
        row, view = await admin.update_user(
            session,
            viewer,
            user_id,
            display_name=input.display_name,
            role_id=role_id,
            time_zone=input.time_zone,
            active=input.active,
            password=input.password,
        )
        await session.commit()
    return UserUpdateSuccess(user=User.brief(row, role=view))
