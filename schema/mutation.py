"""The Mutation root: one field per mutation, each declared with its permission."""

from __future__ import annotations

import strawberry

from auth.permissions import login_required, requires
from models.enums import Permission
from schema.mutations import comment, roles, session, users


@strawberry.type
class Mutation:
    login = strawberry.mutation(resolver=session.login, description="Sign in.")
    logout = strawberry.mutation(
        resolver=session.logout, description="Sign out.", extensions=login_required()
    )
    role_create = strawberry.mutation(
        resolver=roles.role_create,
        description="Create a role below your level.",
        extensions=requires(Permission.USER_MANAGE),
    )
    role_update = strawberry.mutation(
        resolver=roles.role_update,
        description="Change a role you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    user_create = strawberry.mutation(
        resolver=users.user_create,
        description="Create a user holding a role you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    user_update = strawberry.mutation(
        resolver=users.user_update,
        description="Change, deactivate or reset the password of a user you manage.",
        extensions=requires(Permission.USER_MANAGE),
    )
    order_comment_add = strawberry.mutation(
        resolver=comment.order_comment_add,
        description="Leave a comment on an order.",
        extensions=requires(Permission.COMMENT_ADD),
    )
