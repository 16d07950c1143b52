"""Who may manage whom: every manager × every admin operation × every kind of target, over
HTTP on both engines, asserting the typed answer and, when refused, that nothing changed.

Managers: the demo's Administrator (level 1, every permission but INTEGRATION, ALL stores) and
three crafted roles with USER_MANAGE: a level-1 role without SETTINGS_MANAGE seeing UK, DE and
FR; a level-2 role seeing ALL stores; a level-2 role seeing FR only. The demo roles without
USER_MANAGE (CS Supervisor, CS Agent, Integration) are FORBIDDEN every operation.

Targets, relative to the manager: a lower role within its permissions and stores; a lower
role seeing a store the manager does not (FR and US); a lower role holding a permission the
manager lacks (SETTINGS_MANAGE; for the Administrator that is INTEGRATION, the next kind); a
role holding INTEGRATION; a role at the manager's level; one above it; the manager's own role
and user. What the manager may not manage is invisible: absent from the lists, NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pytest
from sqlalchemy import insert, select
from strawberry import relay

from auth.passwords import hash_password
from core.db import Database
from csdesk.seed_data import CS_PERMISSIONS
from models import Role, SessionToken, Store, User, role_stores
from models.enums import Permission, StoreAccess
from resolvers.admin import tokens
from tests.conftest import GraphQLClient
from tests.security.admin_ops import OPERATIONS, Case, Op
from tests.test_admin import as_user

PASSWORD = "manager-password"
ALL_BUT_INTEGRATION = tuple(p.value for p in Permission if p is not Permission.INTEGRATION)
CS_AND_USERS = (*(p.value for p in CS_PERMISSIONS), "USER_MANAGE")


@dataclass(frozen=True)
class RoleSpec:
    name: str
    level: int
    permissions: tuple[str, ...]
    stores: tuple[str, ...] | None  # None: ALL stores; a tuple: SPECIFIC


@dataclass(frozen=True)
class Manager:
    username: str
    role: RoleSpec
    # A permission the manager lacks and might try to grant (None: only INTEGRATION).
    lacks: str | None
    visible: frozenset[str] = field(default_factory=frozenset)


ADMINISTRATOR = RoleSpec("Administrator", 1, ALL_BUT_INTEGRATION, None)
MANAGERS = {
    "admin": Manager(
        "admin",
        ADMINISTRATOR,
        None,
        frozenset({"in_scope", "out_of_stores", "lacking_permission", "same_level", "self"}),
    ),
    "l1_regional": Manager(
        "l1regional",
        RoleSpec(
            "Regional administrators",
            1,
            tuple(p for p in ALL_BUT_INTEGRATION if p != "SETTINGS_MANAGE"),
            ("UK", "DE", "FR"),
        ),
        "SETTINGS_MANAGE",
        frozenset({"in_scope", "same_level", "self"}),
    ),
    "l2_all": Manager(
        "l2all",
        RoleSpec("Managers (all stores)", 2, CS_AND_USERS, None),
        "SETTINGS_MANAGE",
        frozenset({"in_scope", "out_of_stores"}),
    ),
    "l2_fr": Manager(
        "l2fr",
        RoleSpec("Managers (FR)", 2, CS_AND_USERS, ("FR",)),
        "SETTINGS_MANAGE",
        frozenset({"in_scope"}),
    ),
}
# Target roles, each held by one user named after it (t-in-scope, …).
TARGETS = {
    "in_scope": RoleSpec("T lower in scope", 3, ("ORDER_VIEW", "COMMENT_ADD"), ("FR",)),
    "out_of_stores": RoleSpec(
        "T lower out of stores", 3, ("ORDER_VIEW", "COMMENT_ADD"), ("FR", "US")
    ),
    "lacking_permission": RoleSpec(
        "T lower with settings", 3, ("ORDER_VIEW", "SETTINGS_MANAGE"), ("FR",)
    ),
    "integration": RoleSpec("T integration", 3, ("ORDER_VIEW", "INTEGRATION"), ("FR",)),
    "level_1": RoleSpec("T level 1", 1, ("ORDER_VIEW",), ("FR",)),
    "level_2": RoleSpec("T level 2", 2, ("ORDER_VIEW",), ("FR",)),
    "spare": RoleSpec("T spare", 3, ("ORDER_VIEW",), ("FR",)),
}
KINDS = (
    "in_scope",
    "out_of_stores",
    "lacking_permission",
    "integration",
    "same_level",
    "higher_level",
    "self",
)


def target_of(manager: Manager, kind: str) -> tuple[RoleSpec, str]:
    """The role and username of ``kind`` relative to ``manager``."""
    if kind == "self":
        return manager.role, manager.username
    key = {
        "same_level": f"level_{manager.role.level}",
        "higher_level": f"level_{manager.role.level - 1}",
    }.get(kind, kind)
    return TARGETS[key], user_of(key)


def user_of(key: str) -> str:
    """The username of the user holding the target role ``key``."""
    return "t-" + key.replace("_", "-")


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


async def make_manager(
    db: Database,
    *,
    role: str,
    level: int,
    permissions: list[str] | tuple[str, ...],
    stores: list[str] | tuple[str, ...] | None,
    username: str,
) -> None:
    """A role and a user holding it (password ``manager-password``), written as the operator
    would: directly, whatever the API allows."""
    async with db.write() as session:
        codes = {s.code: s.id for s in await session.scalars(select(Store))}
        access = StoreAccess.ALL if stores is None else StoreAccess.SPECIFIC
        row = Role(name=role, level=level, permissions=list(permissions), store_access=access)
        session.add(row)
        await session.flush()
        if stores:
            await session.execute(
                insert(role_stores), [{"role_id": row.id, "store_id": codes[c]} for c in stores]
            )
        session.add(
            User(
                username=username,
                display_name=username.title(),
                role_id=row.id,
                time_zone="Europe/Paris",
                active=True,
                password_hash=_password_hash(),
            )
        )
        await session.commit()


async def build_world(db: Database) -> None:
    """The crafted managers and every target, beside the demo's roles and users."""
    for manager in MANAGERS.values():
        if manager.role is not ADMINISTRATOR:
            spec = manager.role
            await make_manager(db, role=spec.name, level=spec.level, username=manager.username,
                               permissions=spec.permissions, stores=spec.stores)  # fmt: skip
    for key, spec in TARGETS.items():
        await make_manager(db, role=spec.name, level=spec.level, username=user_of(key),
                           permissions=spec.permissions, stores=spec.stores)  # fmt: skip


async def admin_state(db: Database) -> tuple[Any, ...]:
    """Everything administration can change: users, roles, their stores, tokens."""
    async with db.read() as session:
        users = (await session.execute(select(
            User.id, User.username, User.display_name, User.time_zone, User.active,
            User.role_id, User.password_hash).order_by(User.id))).all()  # fmt: skip
        roles = [
            (r.id, r.name, r.level, sorted(r.permissions), r.store_access)
            for r in await session.scalars(select(Role).order_by(Role.id))
        ]
        links = sorted(tuple(row) for row in await session.execute(select(role_stores)))
        tokens_ = (await session.execute(select(SessionToken.id, SessionToken.revoked_at)
                                         .order_by(SessionToken.id))).all()  # fmt: skip
    return tuple(users), tuple(roles), tuple(links), tuple(tokens_)


async def global_ids(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Role ids by name and user ids by username, read from the database."""
    async with db.read() as session:
        roles = {r.name: relay.to_base64("Role", r.id) for r in await session.scalars(select(Role))}
        users = {
            u.username: relay.to_base64("User", u.id) for u in await session.scalars(select(User))
        }
    return roles, users


async def run_case(case: Case, db: Database, op: Op) -> None:
    """Run one operation, check its answer; refused: nothing changed; then undo a success."""
    before = await admin_state(db)
    expected = op.expect(case)
    answer = await op.run(case)
    assert answer == expected, (case.kind, op.name)
    changed = await admin_state(db) != before
    succeeded = expected[0].endswith("Success")
    assert changed == (succeeded and op.changes(case)), (case.kind, op.name, "changed?")
    if succeeded and op.undo is not None:
        undone = await case.client.data(op.query, {"input": op.undo(case)})
        assert next(iter(undone.values()))["__typename"].endswith("Success"), undone
        # Users, roles and stores as before (tokens revoked by the operation stay revoked).
        assert (await admin_state(db))[:3] == before[:3], (case.kind, op.name, "undo")


MATRIX = [
    pytest.param(m, k, id=f"{m}-{k}")
    for m, manager in MANAGERS.items()
    for k in KINDS
    if not (k == "higher_level" and manager.role.level == 1)
]


@pytest.mark.parametrize(("manager_key", "kind"), MATRIX)
async def test_manager_on_target(
    gql: GraphQLClient, db: Database, manager_key: str, kind: str
) -> None:
    manager = MANAGERS[manager_key]
    await build_world(db)
    role, username = target_of(manager, kind)
    password = "admin" if manager_key == "admin" else PASSWORD
    client = await as_user(gql, manager.username, password)
    roles, users = await global_ids(db)
    case = Case(
        client=client,
        kind=kind,
        visible=kind in manager.visible,
        own=kind == "self",
        level=manager.role.level,
        all_stores=manager.role.stores is None,
        lacks=manager.lacks,
        role_id=roles[role.name],
        role=(role.name, role.level, role.permissions, role.stores),
        user_id=users[username],
        username=username,
        spare_role_id=roles[TARGETS["spare"].name],
        spare_user_id=users["t-spare"],
        sign_in=lambda u, p: as_user(gql, u, p),
    )
    for op in OPERATIONS:
        if op.applies(case):
            await run_case(case, db, op)


LISTS = "{ roles { name } users { username role { name } } }"
DEMO_OTHERS = {
    # role name: username, for the roles the crafted world adds to the demo's
    **{m.role.name: m.username for m in MANAGERS.values()},
    **{spec.name: user_of(key) for key, spec in TARGETS.items()},
    "CS Supervisor": "supervisor",
    "CS Agent": "agent",
    "Integration": "integration",
}
LISTED = {
    "admin": {"Administrator", "CS Supervisor", "CS Agent", "Regional administrators",
              "Managers (all stores)", "Managers (FR)", "T lower in scope",
              "T lower out of stores", "T lower with settings", "T level 1", "T level 2",
              "T spare"},
    "l1_regional": {"CS Agent", "Regional administrators", "Managers (FR)", "T lower in scope",
                    "T level 1", "T level 2", "T spare"},
    "l2_all": {"CS Agent", "T lower in scope", "T lower out of stores", "T spare"},
    "l2_fr": {"T lower in scope", "T spare"},
}  # fmt: skip


@pytest.mark.parametrize("manager_key", list(MANAGERS))
async def test_lists_show_exactly_what_the_manager_may_manage(
    gql: GraphQLClient, db: Database, manager_key: str
) -> None:
    manager = MANAGERS[manager_key]
    await build_world(db)
    client = await as_user(gql, manager.username, "admin" if manager_key == "admin" else PASSWORD)
    data = await client.data(LISTS)
    assert {r["name"] for r in data["roles"]} == LISTED[manager_key]
    listed = {(u["username"], u["role"]["name"]) for u in data["users"]}
    assert listed == {(DEMO_OTHERS[name], name) for name in LISTED[manager_key]}


@pytest.mark.parametrize("username", ["supervisor", "agent", "integration"])
async def test_roles_without_user_manage_are_forbidden_everything(
    gql: GraphQLClient, db: Database, username: str
) -> None:
    await build_world(db)
    if username == "integration":
        async with db.write() as session:
            token = await tokens.create_api_token(session, "integration")
            await session.commit()
        client = GraphQLClient(gql.http)
        client.token = token
    else:
        client = await as_user(gql, username)
    roles, users = await global_ids(db)
    case = Case(
        client=client,
        kind="in_scope",
        visible=True,
        own=False,
        level=3,
        all_stores=False,
        lacks="SETTINGS_MANAGE",
        role_id=roles["T lower in scope"],
        role=("T lower in scope", 3, ("ORDER_VIEW", "COMMENT_ADD"), ("FR",)),
        user_id=users["t-in-scope"],
        username="t-in-scope",
        spare_role_id=roles["T spare"],
        spare_user_id=users["t-spare"],
        sign_in=lambda u, p: as_user(gql, u, p),
    )
    before = await admin_state(db)
    for op in OPERATIONS:
        if not op.applies(case):
            continue
        body = await op.raw(case)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", op.name
        assert body["errors"][0]["extensions"]["permission"] == "USER_MANAGE"
        assert await admin_state(db) == before, op.name
