"""Issue 11, item 1: the reproductions of account takeover by a user manager, each refused on
both engines with the documented answer, the database unchanged.

A level-2 role with USER_MANAGE and store FR only reset the password of the ``integration``
user (INTEGRATION, every store) and of ``agent`` (UK and DE); ``roleUpdate`` stripped
INTEGRATION from a role; the same manager listed users and roles outside its stores.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from strawberry import relay

from core.db import Database
from models import Role, User
from tests.conftest import GraphQLClient
from tests.security.test_admin_matrix import admin_state, make_manager
from tests.test_admin import ROLE_CREATE, ROLE_UPDATE, USER_CREATE, USER_UPDATE, as_user, mutate

LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
    __typename } }"""
REFUND_CONFIRMED = """mutation { paymentRefundConfirmed(input: {eventId: "evt-takeover",
    refundId: 1, outcome: RELEASED}) { __typename } }"""


async def ids_in_db(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Every role and user id, global, read from the database (not through a viewer)."""
    async with db.read() as session:
        roles = {r.name: relay.to_base64("Role", r.id) for r in await session.scalars(select(Role))}
        users = {
            u.username: relay.to_base64("User", u.id) for u in await session.scalars(select(User))
        }
    return roles, users


async def fr_manager(gql: GraphQLClient, db: Database) -> GraphQLClient:
    """A level-2 role with USER_MANAGE and store FR only, and a user holding it."""
    await make_manager(
        db,
        role="FR managers",
        level=2,
        permissions=["ORDER_VIEW", "COMMENT_ADD", "USER_MANAGE"],
        stores=["FR"],
        username="frmanager",
    )
    return await as_user(gql, "frmanager", "manager-password")


async def test_fr_manager_cannot_reset_the_integration_users_password(
    gql: GraphQLClient, db: Database
) -> None:
    manager = await fr_manager(gql, db)
    _, users = await ids_in_db(db)
    before = await admin_state(db)
    result = await mutate(manager, USER_UPDATE, userId=users["integration"], password="taken-over")
    assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "userId"])
    assert await admin_state(db) == before
    login = await gql.execute(LOGIN, {"u": "integration", "p": "taken-over"})
    assert login["data"]["login"]["__typename"] == "InvalidCredentials"
    # And so no refund can be released in its name.
    body = await manager.execute(REFUND_CONFIRMED)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_fr_manager_cannot_take_over_the_uk_and_de_agent(
    gql: GraphQLClient, db: Database
) -> None:
    manager = await fr_manager(gql, db)
    _, users = await ids_in_db(db)
    before = await admin_state(db)
    for change in (
        {"password": "taken-over"},
        {"active": False},
        {"displayName": "Mallory"},
        {"timeZone": "UTC"},
    ):
        result = await mutate(manager, USER_UPDATE, userId=users["agent"], **change)
        assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "userId"])
    assert await admin_state(db) == before
    login = await gql.execute(LOGIN, {"u": "agent", "p": "taken-over"})
    assert login["data"]["login"]["__typename"] == "InvalidCredentials"


async def test_nobody_strips_or_grants_integration_through_the_api(
    gql: GraphQLClient, db: Database
) -> None:
    manager = await fr_manager(gql, db)
    admin = await as_user(gql, "admin")
    roles, users = await ids_in_db(db)
    before = await admin_state(db)
    for client in (manager, admin):
        result = await mutate(
            client, ROLE_UPDATE, roleId=roles["Integration"], permissions=["ORDER_VIEW"]
        )
        assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "roleId"])
        result = await mutate(client, ROLE_UPDATE, roleId=roles["Integration"], name="Gone")
        assert result["__typename"] == "NotFound"
        # Assigning the integration role to someone is granting INTEGRATION.
        result = await mutate(
            client,
            USER_CREATE,
            username="fake-integration",
            displayName="Fake",
            roleId=roles["Integration"],
            timeZone="UTC",
            password="long-enough-1",
        )
        assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "roleId"])
    result = await mutate(admin, USER_UPDATE, userId=users["agent"], roleId=roles["Integration"])
    assert (result["__typename"], result.get("field")) == ("NotFound", ["input", "roleId"])
    assert await admin_state(db) == before


async def test_a_manager_holding_integration_still_cannot_grant_it(
    gql: GraphQLClient, db: Database
) -> None:
    """INTEGRATION is granted with the csdesk command only, whoever asks the API."""
    await make_manager(
        db,
        role="Machine admins",
        level=1,
        permissions=["ORDER_VIEW", "USER_MANAGE", "INTEGRATION"],
        stores=None,
        username="machineadmin",
    )
    manager = await as_user(gql, "machineadmin", "manager-password")
    viewers = await mutate(
        manager, ROLE_CREATE, name="Viewers", level=3, permissions=["ORDER_VIEW"], storeAccess="ALL"
    )
    assert viewers["__typename"] == "RoleCreateSuccess", viewers
    before = await admin_state(db)
    created = await mutate(
        manager,
        ROLE_CREATE,
        name="Second integration",
        level=3,
        permissions=["INTEGRATION"],
        storeAccess="ALL",
    )
    assert (created["__typename"], created.get("field")) == ("NotAllowed", ["input", "permissions"])
    assert "csdesk" in created["message"]
    result = await mutate(
        manager,
        ROLE_UPDATE,
        roleId=viewers["role"]["id"],
        permissions=["ORDER_VIEW", "INTEGRATION"],
    )
    assert (result["__typename"], result.get("field")) == ("NotAllowed", ["input", "permissions"])
    assert await admin_state(db) == before


ROLES_AND_USERS = "{ roles { name } users { username role { name } } }"


async def test_fr_manager_lists_only_what_it_may_manage(gql: GraphQLClient, db: Database) -> None:
    admin = await as_user(gql, "admin")
    fr_desk = await mutate(
        admin,
        ROLE_CREATE,
        name="FR desk",
        level=3,
        permissions=["ORDER_VIEW", "COMMENT_ADD"],
        storeAccess="SPECIFIC",
        storeCodes=["FR"],
    )
    assert fr_desk["__typename"] == "RoleCreateSuccess", fr_desk
    created = await mutate(
        admin,
        USER_CREATE,
        username="fragent",
        displayName="FR Agent",
        roleId=fr_desk["role"]["id"],
        timeZone="Europe/Paris",
        password="long-enough-1",
    )
    assert created["__typename"] == "UserCreateSuccess", created
    manager = await fr_manager(gql, db)
    data: dict[str, Any] = await manager.data(ROLES_AND_USERS)
    assert [r["name"] for r in data["roles"]] == ["FR desk"]
    assert data["users"] == [{"username": "fragent", "role": {"name": "FR desk"}}]
