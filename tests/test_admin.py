"""Administration of roles and users over HTTP: the hierarchy, grants, validation, and how
changes reach sessions (deactivation, role changes, password resets)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from strawberry import relay

from core.db import Database
from models import Role, SessionToken, User, role_stores
from tests.conftest import GraphQLClient

VIEWER = "{ viewer { username permissions } }"
ROLES = """{ roles { id name level permissions storeAccess stores { code name } userCount } }"""
USERS = """{ users { id username displayName timeZone active role { id name level } } }"""
RESULT = """
    __typename
    ... on UserError { code message field }
"""
ROLE_CREATE = f"""mutation($input: RoleCreateInput!) {{ roleCreate(input: $input) {{ {RESULT}
    ... on RoleCreateSuccess {{ role {{ id name level permissions storeAccess
        stores {{ code }} userCount }} }} }} }}"""
ROLE_UPDATE = f"""mutation($input: RoleUpdateInput!) {{ roleUpdate(input: $input) {{ {RESULT}
    ... on RoleUpdateSuccess {{ role {{ id name level permissions storeAccess
        stores {{ code }} userCount }} }} }} }}"""
USER_CREATE = f"""mutation($input: UserCreateInput!) {{ userCreate(input: $input) {{ {RESULT}
    ... on UserCreateSuccess {{ user {{ id username displayName timeZone active
        role {{ name }} }} }} }} }}"""
USER_UPDATE = f"""mutation($input: UserUpdateInput!) {{ userUpdate(input: $input) {{ {RESULT}
    ... on UserUpdateSuccess {{ user {{ id username displayName timeZone active
        role {{ name }} }} }} }} }}"""
NODE = '{ node(id: "x") { id } }'

ALL_PERMISSIONS_BUT_INTEGRATION = [
    "ORDER_VIEW",
    "COMMENT_ADD",
    "EXCHANGE_CREATE",
    "RESHIPMENT_CREATE",
    "APPEASEMENT_CREATE",
    "APPEASEMENT_CANCEL",
    "APPEASEMENT_APPROVE",
    "RETURN_CREATE",
    "RETURN_APPROVE",
    "RETURN_CANCEL",
    "ORDER_CANCEL",
    "ORDER_EDIT",
    "REFUND_RETRY",
    "USER_MANAGE",
    "SETTINGS_MANAGE",
    "SCHEMA_INTROSPECT",
]


async def mutate(gql: GraphQLClient, op: str, **input: Any) -> dict[str, Any]:
    data = await gql.data(op, {"input": input})
    result: dict[str, Any] = next(iter(data.values()))
    return result


async def ids(gql: GraphQLClient) -> tuple[dict[str, str], dict[str, str]]:
    """Role ids by name and user ids by username, as the signed-in viewer sees them."""
    data = await gql.data("{ roles { id name } users { id username } }")
    return (
        {r["name"]: r["id"] for r in data["roles"]},
        {u["username"]: u["id"] for u in data["users"]},
    )


async def counts(db: Database) -> tuple[int, int, int]:
    """Users, roles and role-store links."""
    async with db.read() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        roles = await session.scalar(select(func.count()).select_from(Role))
        links = await session.scalar(select(func.count()).select_from(role_stores))
    return int(users or 0), int(roles or 0), int(links or 0)


async def as_user(gql: GraphQLClient, username: str, password: str | None = None) -> GraphQLClient:
    other = GraphQLClient(gql.http)
    await other.login(username, password)
    return other


async def make_supervisor_admin(gql: GraphQLClient) -> GraphQLClient:
    """Give the CS Supervisor role USER_MANAGE (as admin) and sign in as the supervisor."""
    admin = await as_user(gql, "admin")
    roles, _ = await ids(admin)
    data = await admin.data(ROLES)
    current = next(r for r in data["roles"] if r["name"] == "CS Supervisor")["permissions"]
    result = await mutate(
        admin,
        ROLE_UPDATE,
        roleId=roles["CS Supervisor"],
        permissions=[*current, "USER_MANAGE"],
    )
    assert result["__typename"] == "RoleUpdateSuccess", result
    return await as_user(gql, "supervisor")


async def test_admin_sees_every_role_and_user_but_integrations(gql: GraphQLClient) -> None:
    await gql.login("admin")
    roles = (await gql.data(ROLES))["roles"]
    # The Integration role holds INTEGRATION, which only the csdesk command grants.
    assert [(r["name"], r["level"]) for r in roles] == [
        ("Administrator", 1),
        ("CS Supervisor", 2),
        ("CS Agent", 3),
    ]
    by_name = {r["name"]: r for r in roles}
    admin_role = by_name["Administrator"]
    assert admin_role["permissions"] == ALL_PERMISSIONS_BUT_INTEGRATION
    assert admin_role["storeAccess"] == "ALL"
    assert {s["code"] for s in admin_role["stores"]} == {"UK", "DE", "US", "FR"}
    agent_role = by_name["CS Agent"]
    assert agent_role["storeAccess"] == "SPECIFIC"
    assert [s["code"] for s in agent_role["stores"]] == ["DE", "UK"]
    assert all(r["userCount"] >= 1 for r in roles)
    assert relay.GlobalID.from_id(admin_role["id"]).type_name == "Role"

    users = (await gql.data(USERS))["users"]
    names = [u["username"] for u in users]
    assert {"admin", "supervisor", "agent"} <= set(names)
    assert "integration" not in names
    assert names == sorted(names)
    admin_user = next(u for u in users if u["username"] == "admin")
    assert admin_user["role"]["name"] == "Administrator"
    assert admin_user["active"] is True
    assert relay.GlobalID.from_id(admin_user["id"]).type_name == "User"


async def test_users_list_costs_the_same_statements_for_more_users(gql: GraphQLClient) -> None:
    await gql.login("admin")
    roles, _ = await ids(gql)
    before = (await gql.execute(USERS))["extensions"]["sqlStatements"]
    for n in range(5):
        result = await mutate(
            gql,
            USER_CREATE,
            username=f"extra{n}",
            displayName=f"Extra {n}",
            roleId=roles["CS Agent" if n % 2 else "CS Supervisor"],
            timeZone="Europe/Berlin",
            password="long-enough-1",
        )
        assert result["__typename"] == "UserCreateSuccess", result
    after = await gql.execute(USERS)
    assert len(after["data"]["users"]) >= 8
    assert after["extensions"]["sqlStatements"] == before


async def test_supervisor_sees_only_level_3_roles_and_their_users(gql: GraphQLClient) -> None:
    supervisor = await make_supervisor_admin(gql)
    roles = (await supervisor.data(ROLES))["roles"]
    assert [r["name"] for r in roles] == ["CS Agent"]
    assert {r["level"] for r in roles} == {3}
    users = (await supervisor.data(USERS))["users"]
    names = {u["username"] for u in users}
    assert "agent" in names
    assert not names & {"admin", "supervisor", "integration"}
    assert {u["role"]["level"] for u in users} == {3}


async def test_supervisor_cannot_escalate(gql: GraphQLClient, db: Database) -> None:
    supervisor = await make_supervisor_admin(gql)
    before = await counts(db)
    for level in (1, 2):
        result = await mutate(
            supervisor,
            ROLE_CREATE,
            name=f"Level {level}",
            level=level,
            permissions=["ORDER_VIEW"],
            storeAccess="ALL",
        )
        assert result["__typename"] == "NotAllowed", result
        assert f"level-{level}" in result["message"]
    result = await mutate(
        supervisor,
        ROLE_CREATE,
        name="Settings people",
        level=3,
        permissions=["ORDER_VIEW", "SETTINGS_MANAGE"],
        storeAccess="NONE",
    )
    assert result["__typename"] == "NotAllowed"
    assert "SETTINGS_MANAGE" in result["message"]
    assert await counts(db) == before

    roles, _ = await ids(supervisor)
    result = await mutate(
        supervisor, ROLE_UPDATE, roleId=roles["CS Agent"], permissions=["SETTINGS_MANAGE"]
    )
    assert result["__typename"] == "NotAllowed"
    result = await mutate(supervisor, ROLE_UPDATE, roleId=roles["CS Agent"], level=2)
    assert result["__typename"] == "NotAllowed"

    # Above the supervisor: behaves as missing.
    admin = await as_user(gql, "admin")
    all_roles, all_users = await ids(admin)
    result = await mutate(supervisor, ROLE_UPDATE, roleId=all_roles["Administrator"], name="X")
    assert result["__typename"] == "NotFound"
    result = await mutate(supervisor, USER_UPDATE, userId=all_users["admin"], active=False)
    assert result["__typename"] == "NotFound"
    result = await mutate(supervisor, USER_UPDATE, userId=all_users["supervisor"], active=False)
    assert result["__typename"] == "NotFound"
    result = await mutate(
        supervisor,
        USER_CREATE,
        username="boss",
        displayName="Boss",
        roleId=all_roles["CS Supervisor"],
        timeZone="Europe/London",
        password="long-enough-1",
    )
    assert result["__typename"] == "NotFound"
    assert await counts(db) == before

    result = await mutate(
        supervisor,
        ROLE_CREATE,
        name="Returns desk",
        level=3,
        permissions=["ORDER_VIEW", "RETURN_APPROVE"],
        storeAccess="SPECIFIC",
        storeCodes=["FR", "US"],
    )
    assert result["__typename"] == "RoleCreateSuccess", result
    role = result["role"]
    assert (role["level"], role["permissions"], role["storeAccess"]) == (
        3,
        ["ORDER_VIEW", "RETURN_APPROVE"],
        "SPECIFIC",
    )
    assert [s["code"] for s in role["stores"]] == ["FR", "US"]
    assert role["userCount"] == 0


async def test_specific_supervisor_cannot_grant_stores_it_lacks(
    gql: GraphQLClient, db: Database
) -> None:
    admin = await as_user(gql, "admin")
    regional = await mutate(
        admin,
        ROLE_CREATE,
        name="Regional Supervisor",
        level=2,
        permissions=["ORDER_VIEW", "COMMENT_ADD", "USER_MANAGE"],
        storeAccess="SPECIFIC",
        storeCodes=["UK"],
    )
    assert regional["__typename"] == "RoleCreateSuccess", regional
    created = await mutate(
        admin,
        USER_CREATE,
        username="regional",
        displayName="Regional Lead",
        roleId=regional["role"]["id"],
        timeZone="Europe/London",
        password="regional-pass",
    )
    assert created["__typename"] == "UserCreateSuccess", created
    lead = await as_user(gql, "regional", "regional-pass")
    before = await counts(db)
    result = await mutate(
        lead, ROLE_CREATE, name="UK all", level=3, permissions=["ORDER_VIEW"], storeAccess="ALL"
    )
    assert result["__typename"] == "NotAllowed"
    assert "ALL" in result["message"]
    result = await mutate(
        lead,
        ROLE_CREATE,
        name="UK and DE",
        level=3,
        permissions=["ORDER_VIEW"],
        storeAccess="SPECIFIC",
        storeCodes=["UK", "DE"],
    )
    assert result["__typename"] == "NotAllowed"
    assert "DE" in result["message"]
    all_roles, _ = await ids(admin)
    # CS Agent sees UK and DE: the UK lead does not manage it, so it does not exist for them.
    assert "CS Agent" not in (await ids(lead))[0]
    result = await mutate(
        lead,
        USER_CREATE,
        username="newagent",
        displayName="New Agent",
        roleId=all_roles["CS Agent"],
        timeZone="Europe/London",
        password="long-enough-1",
    )
    assert (result["__typename"], result["field"]) == ("NotFound", ["input", "roleId"])
    assert await counts(db) == before
    result = await mutate(
        lead,
        ROLE_CREATE,
        name="UK desk",
        level=3,
        permissions=["ORDER_VIEW"],
        storeAccess="SPECIFIC",
        storeCodes=["uk"],
    )
    assert result["__typename"] == "RoleCreateSuccess", result
    assert [s["code"] for s in result["role"]["stores"]] == ["UK"]


ADMIN_OPERATIONS = [
    pytest.param(ROLES, {}, id="roles"),
    pytest.param(USERS, {}, id="users"),
    pytest.param(
        ROLE_CREATE,
        {"input": {"name": "R", "level": 3, "permissions": [], "storeAccess": "NONE"}},
        id="roleCreate",
    ),
    pytest.param(ROLE_UPDATE, {"input": {"roleId": "Um9sZTox", "name": "R"}}, id="roleUpdate"),
    pytest.param(
        USER_CREATE,
        {
            "input": {
                "username": "u1",
                "displayName": "U",
                "roleId": "Um9sZTox",
                "timeZone": "UTC",
                "password": "long-enough-1",
            }
        },
        id="userCreate",
    ),
    pytest.param(USER_UPDATE, {"input": {"userId": "VXNlcjox", "active": False}}, id="userUpdate"),
]


@pytest.mark.parametrize(("query", "variables"), ADMIN_OPERATIONS)
async def test_agent_without_user_manage_is_forbidden(
    gql: GraphQLClient, db: Database, query: str, variables: dict[str, Any]
) -> None:
    await gql.login("agent")
    before = await counts(db)
    body = await gql.execute(query, variables)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["permission"] == "USER_MANAGE"
    assert await counts(db) == before


@pytest.mark.parametrize(("query", "variables"), ADMIN_OPERATIONS)
async def test_anonymous_is_unauthenticated(
    gql: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    body = await gql.execute(query, variables)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_user_create_rejects_bad_input_and_writes_nothing(
    gql: GraphQLClient, db: Database
) -> None:
    await gql.login("admin")
    roles, _ = await ids(gql)
    good = {
        "username": "newbie",
        "displayName": "New Bie",
        "roleId": roles["CS Agent"],
        "timeZone": "Europe/Paris",
        "password": "long-enough-1",
    }
    before = await counts(db)
    cases: list[tuple[dict[str, Any], str, list[str]]] = [
        ({"timeZone": "Mars/Olympus"}, "ValidationFailed", ["input", "timeZone"]),
        ({"timeZone": ""}, "ValidationFailed", ["input", "timeZone"]),
        ({"password": "short"}, "ValidationFailed", ["input", "password"]),
        ({"username": "agent"}, "AlreadyExists", ["input", "username"]),
        ({"username": "  "}, "ValidationFailed", ["input", "username"]),
        ({"displayName": ""}, "ValidationFailed", ["input", "displayName"]),
        ({"roleId": "not-an-id"}, "NotFound", ["input", "roleId"]),
        ({"roleId": relay.to_base64("Order", 1)}, "NotFound", ["input", "roleId"]),
        ({"roleId": relay.to_base64("Role", 99999999999)}, "NotFound", ["input", "roleId"]),
        ({"roleId": relay.to_base64("Role", 999999)}, "NotFound", ["input", "roleId"]),
    ]
    for change, typename, field in cases:
        result = await mutate(gql, USER_CREATE, **{**good, **change})
        assert result["__typename"] == typename, (change, result)
        assert result["field"] == field, (change, result)
        assert result["message"]
    assert await counts(db) == before
    result = await mutate(gql, USER_CREATE, **good)
    assert result["__typename"] == "UserCreateSuccess", result
    assert result["user"]["timeZone"] == "Europe/Paris"
    assert result["user"]["role"] == {"name": "CS Agent"}
    assert (await counts(db))[0] == before[0] + 1
    await as_user(gql, "newbie", "long-enough-1")


async def test_role_mutations_reject_bad_input_and_write_nothing(
    gql: GraphQLClient, db: Database
) -> None:
    await gql.login("admin")
    roles, _ = await ids(gql)
    before = await counts(db)
    base = {"name": "Night shift", "level": 3, "permissions": ["ORDER_VIEW"]}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (ROLE_CREATE, {**base, "name": "CS Agent", "storeAccess": "ALL"}, "AlreadyExists"),
        (ROLE_CREATE, {**base, "level": 4, "storeAccess": "ALL"}, "ValidationFailed"),
        (ROLE_CREATE, {**base, "name": " ", "storeAccess": "ALL"}, "ValidationFailed"),
        (ROLE_CREATE, {**base, "storeAccess": "SPECIFIC", "storeCodes": ["XX"]}, "NotFound"),
        (ROLE_CREATE, {**base, "storeAccess": "SPECIFIC"}, "ValidationFailed"),
        (ROLE_CREATE, {**base, "storeAccess": "ALL", "storeCodes": ["UK"]}, "ValidationFailed"),
        (ROLE_CREATE, {**base, "permissions": ["INTEGRATION"], "storeAccess": "ALL"}, "NotAllowed"),
        (ROLE_UPDATE, {"roleId": roles["CS Agent"], "name": "Integration"}, "AlreadyExists"),
        (ROLE_UPDATE, {"roleId": "Um9sZTo=", "name": "X"}, "NotFound"),
        (ROLE_UPDATE, {"roleId": roles["CS Agent"], "storeCodes": ["UK", "ZZ"]}, "NotFound"),
    ]
    for op, input, typename in cases:
        result = await mutate(gql, op, **input)
        assert result["__typename"] == typename, (input, result)
    assert await counts(db) == before
    # Nothing of the failed updates landed.
    agent_role = next(r for r in (await gql.data(ROLES))["roles"] if r["name"] == "CS Agent")
    assert [s["code"] for s in agent_role["stores"]] == ["DE", "UK"]


async def test_deactivation_ends_existing_sessions_at_once(
    gql: GraphQLClient, db: Database
) -> None:
    agent = await as_user(gql, "agent")
    assert (await agent.data(VIEWER))["viewer"]["username"] == "agent"
    await gql.login("admin")
    _, users = await ids(gql)
    result = await mutate(gql, USER_UPDATE, userId=users["agent"], active=False)
    assert result["__typename"] == "UserUpdateSuccess", result
    assert result["user"]["active"] is False
    body = await agent.execute(VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with db.read() as session:
        open_tokens = await session.scalar(
            select(func.count())
            .select_from(SessionToken)
            .join(User, User.id == SessionToken.user_id)
            .where(User.username == "agent", SessionToken.revoked_at.is_(None))
        )
    assert open_tokens == 0
    failed = await gql.execute(
        'mutation { login(input: {username: "agent", password: "agent"}) { __typename } }'
    )
    assert failed["data"]["login"]["__typename"] == "InvalidCredentials"
    # Reactivated, the user signs in again; the old session stays revoked.
    result = await mutate(gql, USER_UPDATE, userId=users["agent"], active=True)
    assert result["user"]["active"] is True
    assert (await agent.execute(VIEWER))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await as_user(gql, "agent")


async def test_role_change_applies_on_the_next_request(gql: GraphQLClient) -> None:
    agent = await as_user(gql, "agent")
    assert "ORDER_VIEW" in (await agent.data(VIEWER))["viewer"]["permissions"]
    assert "errors" not in await agent.execute(NODE)
    await gql.login("admin")
    roles = {r["name"]: r for r in (await gql.data(ROLES))["roles"]}
    kept = [p for p in roles["CS Agent"]["permissions"] if p != "ORDER_VIEW"]
    result = await mutate(gql, ROLE_UPDATE, roleId=roles["CS Agent"]["id"], permissions=kept)
    assert result["__typename"] == "RoleUpdateSuccess", result
    assert "ORDER_VIEW" not in result["role"]["permissions"]
    assert "ORDER_VIEW" not in (await agent.data(VIEWER))["viewer"]["permissions"]
    body = await agent.execute(NODE)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_password_reset(gql: GraphQLClient) -> None:
    agent = await as_user(gql, "agent")
    await gql.login("admin")
    _, users = await ids(gql)
    short = await mutate(gql, USER_UPDATE, userId=users["agent"], password="short")
    assert short["__typename"] == "ValidationFailed"
    result = await mutate(gql, USER_UPDATE, userId=users["agent"], password="brand-new-pass")
    assert result["__typename"] == "UserUpdateSuccess", result
    old = await gql.execute(
        'mutation { login(input: {username: "agent", password: "agent"}) { __typename } }'
    )
    assert old["data"]["login"]["__typename"] == "InvalidCredentials"
    # The reset signs the user out of their other sessions.
    assert (await agent.execute(VIEWER))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await as_user(gql, "agent", "brand-new-pass")


async def test_user_update_changes_fields_and_role(gql: GraphQLClient) -> None:
    await gql.login("admin")
    roles, users = await ids(gql)
    result = await mutate(
        gql,
        USER_UPDATE,
        userId=users["agent"],
        displayName="Agent Smith",
        timeZone="America/New_York",
        roleId=roles["CS Supervisor"],
    )
    assert result["__typename"] == "UserUpdateSuccess", result
    user = result["user"]
    assert (user["displayName"], user["timeZone"], user["role"]["name"]) == (
        "Agent Smith",
        "America/New_York",
        "CS Supervisor",
    )
    result = await mutate(gql, USER_UPDATE, userId=users["agent"], timeZone="Mars/Olympus")
    assert result["__typename"] == "ValidationFailed"
    listed = next(u for u in (await gql.data(USERS))["users"] if u["username"] == "agent")
    assert listed["timeZone"] == "America/New_York"
    result = await mutate(gql, USER_UPDATE, userId="garbage", displayName="X")
    assert (result["__typename"], result["field"]) == ("NotFound", ["input", "userId"])
    result = await mutate(gql, USER_UPDATE, userId=relay.to_base64("User", 999999), active=False)
    assert (result["__typename"], result["field"]) == ("NotFound", ["input", "userId"])
    result = await mutate(
        gql, USER_UPDATE, userId=users["agent"], roleId=relay.to_base64("Role", 0)
    )
    assert (result["__typename"], result["field"]) == ("NotFound", ["input", "roleId"])


async def test_concurrent_creates_of_one_username_make_one_user(
    gql: GraphQLClient, db: Database
) -> None:
    await gql.login("admin")
    roles, _ = await ids(gql)
    before = await counts(db)
    results = await asyncio.gather(
        *(
            mutate(
                gql,
                USER_CREATE,
                username="twin",
                displayName=f"Twin {n}",
                roleId=roles["CS Agent"],
                timeZone="UTC",
                password="long-enough-1",
            )
            for n in range(4)
        )
    )
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["AlreadyExists"] * 3 + ["UserCreateSuccess"]
    assert (await counts(db))[0] == before[0] + 1


async def test_nobody_locks_themselves_out(gql: GraphQLClient) -> None:
    await gql.login("admin")
    roles, users = await ids(gql)
    result = await mutate(gql, USER_UPDATE, userId=users["admin"], active=False)
    assert result["__typename"] == "NotAllowed"
    result = await mutate(gql, USER_UPDATE, userId=users["admin"], roleId=roles["CS Agent"])
    assert result["__typename"] == "NotAllowed"
    result = await mutate(
        gql, ROLE_UPDATE, roleId=roles["Administrator"], permissions=["ORDER_VIEW"]
    )
    assert result["__typename"] == "NotAllowed"
    # Unchanged values and a new name are fine.
    result = await mutate(
        gql,
        ROLE_UPDATE,
        roleId=roles["Administrator"],
        name="Administrators",
        level=1,
        storeAccess="ALL",
    )
    assert result["__typename"] == "RoleUpdateSuccess", result
    assert (await gql.data(VIEWER))["viewer"]["username"] == "admin"


CREATED_BY = """query($first: Int!) { postsalesActions(first: $first) { edges { node {
    createdBy { username %s } } } } }"""


async def test_created_by_shows_the_role_within_the_hierarchy(gql: GraphQLClient) -> None:
    await gql.login("admin")
    extra = []
    for first in (5, 50):
        plain = await gql.execute(CREATED_BY % "", {"first": first})
        body = await gql.execute(CREATED_BY % "role { name }", {"first": first})
        assert not body.get("errors"), body
        extra.append(body["extensions"]["sqlStatements"] - plain["extensions"]["sqlStatements"])
        users = [e["node"]["createdBy"] for e in body["data"]["postsalesActions"]["edges"]]
        assert all(u["role"] is not None for u in users if u)
    # The roles load once per request, however many actions there are.
    assert extra[0] == extra[1]

    supervisor = await make_supervisor_admin(gql)
    body = await supervisor.data(CREATED_BY % "role { name }", {"first": 50})
    roles = {
        e["node"]["createdBy"]["username"]: e["node"]["createdBy"]["role"]
        for e in body["postsalesActions"]["edges"]
        if e["node"]["createdBy"]
    }
    assert roles.get("agent") == {"name": "CS Agent"}
    assert all(roles[name] is None for name in ("admin", "supervisor") if name in roles)
    agent = await as_user(gql, "agent")
    body = await agent.execute(CREATED_BY % "role { name }", {"first": 5})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
