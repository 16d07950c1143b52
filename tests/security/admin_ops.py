"""The admin operations of the security matrix (``test_admin_matrix.py``): each with its input,
the answer a manager should get for a target, and how to undo a success so the next operation
starts from the same world."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import GraphQLClient

Answer = tuple[str, Any]

RESULT = "__typename ... on UserError { field }"
USERS = "{ users { username } }"
ROLES = "{ roles { name } }"
USER_CREATE = f"mutation($input: UserCreateInput!) {{ userCreate(input: $input) {{ {RESULT} }} }}"
USER_UPDATE = f"mutation($input: UserUpdateInput!) {{ userUpdate(input: $input) {{ {RESULT} }} }}"
ROLE_CREATE = f"mutation($input: RoleCreateInput!) {{ roleCreate(input: $input) {{ {RESULT} }} }}"
ROLE_UPDATE = f"mutation($input: RoleUpdateInput!) {{ roleUpdate(input: $input) {{ {RESULT} }} }}"
NEW_PASSWORD = "reset-password-1"


@dataclass(frozen=True)
class Case:
    """One manager, signed in, facing one target (a role and a user holding it)."""

    client: GraphQLClient
    kind: str
    visible: bool  # within the manager's level, permissions and stores
    own: bool  # the manager's own role and user
    level: int  # the manager's level
    all_stores: bool  # the manager sees ALL stores
    lacks: str | None  # a permission the manager lacks (besides INTEGRATION)
    role_id: str
    role: tuple[str, int, tuple[str, ...], tuple[str, ...] | None]  # name, level, perms, stores
    user_id: str
    username: str
    spare_role_id: str  # a level-3 FR role every manager here manages, and its user
    spare_user_id: str
    sign_in: Callable[[str, str], Awaitable[Any]]


def _stores(stores: tuple[str, ...] | None) -> dict[str, Any]:
    if stores is None:
        return {"storeAccess": "ALL"}
    return (
        {"storeAccess": "SPECIFIC", "storeCodes": list(stores)}
        if stores
        else {"storeAccess": "NONE"}
    )


def _user(case: Case, own_refusal: str | None = None) -> Answer:
    if not case.visible:
        return ("NotFound", ["input", "userId"])
    if case.own and own_refusal:
        return ("NotAllowed", ["input", own_refusal])
    return ("UserUpdateSuccess", None)


def _role(case: Case, refusal: str | None = None) -> Answer:
    if not case.visible:
        return ("NotFound", ["input", "roleId"])
    if refusal:
        return ("NotAllowed", ["input", refusal])
    return ("RoleUpdateSuccess", None)


# Why creating a role shaped like an invisible target is refused: the first rule it breaks.
CREATE_REFUSAL = {
    "out_of_stores": "storeAccess",
    "lacking_permission": "permissions",
    "integration": "permissions",
    "same_level": "level",
    "higher_level": "level",
    "self": "level",
}


@dataclass(frozen=True)
class Op:
    name: str
    query: str
    variables: Callable[[Case], dict[str, Any]]
    expect: Callable[[Case], Answer]
    undo: Callable[[Case], dict[str, Any]] | None = None
    applies: Callable[[Case], bool] = lambda case: True
    changes: Callable[[Case], bool] = lambda case: True
    listed: Callable[[Case, dict[str, Any]], bool] | None = None

    async def raw(self, case: Case) -> dict[str, Any]:
        return await case.client.execute(self.query, {"input": self.variables(case)})

    async def run(self, case: Case) -> Answer:
        body = await self.raw(case)
        assert not body.get("errors"), body["errors"]
        if self.listed is not None:
            return ("listed", self.listed(case, body["data"]))
        result: dict[str, Any] = next(iter(body["data"].values()))
        if self.name == "userUpdate password" and result["__typename"].endswith("Success"):
            await case.sign_in(case.username, NEW_PASSWORD)
        return (result["__typename"], result.get("field"))


def _update_user(**change: Any) -> Callable[[Case], dict[str, Any]]:
    return lambda case: {"userId": case.user_id, **change}


def _update_role(make: Callable[[Case], dict[str, Any]]) -> Callable[[Case], dict[str, Any]]:
    return lambda case: {"roleId": case.role_id, **make(case)}


def _new_level(case: Case) -> int:
    return 2 if case.role[1] != 2 else 3


_RESTORE_STORES = _update_role(lambda case: _stores(case.role[3]))

OPERATIONS: list[Op] = [
    Op("users list", USERS, lambda case: {}, lambda case: ("listed", case.visible),
       changes=lambda case: False,
       listed=lambda case, data: case.username in {u["username"] for u in data["users"]}),
    Op("roles list", ROLES, lambda case: {}, lambda case: ("listed", case.visible),
       changes=lambda case: False,
       listed=lambda case, data: case.role[0] in {r["name"] for r in data["roles"]}),
    Op("userCreate with the role", USER_CREATE,
       lambda case: {"username": f"new-{case.kind.replace('_', '-')}", "displayName": "New",
                     "roleId": case.role_id, "timeZone": "UTC", "password": "long-enough-1"},
       lambda case: ("UserCreateSuccess", None) if case.visible
       else ("NotFound", ["input", "roleId"])),
    Op("userUpdate displayName", USER_UPDATE, _update_user(displayName="Renamed"), _user),
    Op("userUpdate timeZone", USER_UPDATE, _update_user(timeZone="Asia/Tokyo"), _user),
    Op("userUpdate password", USER_UPDATE, _update_user(password=NEW_PASSWORD), _user),
    Op("userUpdate deactivate", USER_UPDATE, _update_user(active=False),
       lambda case: _user(case, "active"), undo=_update_user(active=True)),
    Op("userUpdate role change", USER_UPDATE,
       lambda case: {"userId": case.user_id, "roleId": case.spare_role_id},
       lambda case: _user(case, "roleId"),
       undo=lambda case: {"userId": case.user_id, "roleId": case.role_id}),
    Op("userUpdate assign the role", USER_UPDATE,
       lambda case: {"userId": case.spare_user_id, "roleId": case.role_id},
       lambda case: ("UserUpdateSuccess", None) if case.visible
       else ("NotFound", ["input", "roleId"]),
       undo=lambda case: {"userId": case.spare_user_id, "roleId": case.spare_role_id}),
    Op("roleCreate like the role", ROLE_CREATE,
       lambda case: {"name": f"Copy of {case.role[0]}", "level": case.role[1],
                     "permissions": list(case.role[2]), **_stores(case.role[3])},
       lambda case: ("RoleCreateSuccess", None) if case.visible
       else ("NotAllowed", ["input", CREATE_REFUSAL[case.kind]])),
    Op("roleUpdate name", ROLE_UPDATE,
       _update_role(lambda case: {"name": f"{case.role[0]} renamed"}), _role,
       undo=_update_role(lambda case: {"name": case.role[0]})),
    Op("roleUpdate level", ROLE_UPDATE, _update_role(lambda case: {"level": _new_level(case)}),
       lambda case: _role(case, "level" if case.own or case.level != 1 else None),
       undo=_update_role(lambda case: {"level": case.role[1]})),
    Op("roleUpdate narrower permissions", ROLE_UPDATE,
       _update_role(lambda case: {"permissions": list(case.role[2][:-1])}),
       lambda case: _role(case, "permissions" if case.own else None),
       undo=_update_role(lambda case: {"permissions": list(case.role[2])})),
    Op("roleUpdate grant a permission the manager lacks", ROLE_UPDATE,
       _update_role(lambda case: {"permissions": [*case.role[2], case.lacks]}),
       lambda case: _role(case, "permissions"), applies=lambda case: case.lacks is not None),
    Op("roleUpdate grant INTEGRATION", ROLE_UPDATE,
       _update_role(lambda case: {"permissions": [*case.role[2], "INTEGRATION"]}),
       lambda case: _role(case, "permissions")),
    Op("roleUpdate stores NONE", ROLE_UPDATE, _update_role(lambda case: {"storeAccess": "NONE"}),
       lambda case: _role(case, "storeAccess" if case.own else None), undo=_RESTORE_STORES),
    Op("roleUpdate stores ALL", ROLE_UPDATE, _update_role(lambda case: {"storeAccess": "ALL"}),
       lambda case: _role(case, None if case.all_stores else "storeAccess"),
       undo=_RESTORE_STORES, changes=lambda case: case.role[3] is not None),
    Op("roleUpdate add a store the manager lacks", ROLE_UPDATE,
       _update_role(lambda case: {"storeAccess": "SPECIFIC",
                                  "storeCodes": [*(case.role[3] or ()), "US"]}),
       lambda case: _role(case, "storeAccess"), applies=lambda case: not case.all_stores),
]  # fmt: skip
