"""Every query and mutation × the three demo roles and an anonymous caller: allowed,
FORBIDDEN or UNAUTHENTICATED, each cell asserted; and the directive in the schema agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from auth.sessions import issue_token
from core.db import Database
from models import User
from models.enums import Permission, TokenKind
from schema import build_schema
from tests.conftest import GraphQLClient

SDL = (Path(__file__).parents[1] / "frontend-contract/schema.graphql").read_text()
ROLE_ID = "Um9sZTox"  # Role:1; a typed error is fine, only the guard is under test
USER_ID = "VXNlcjox"  # User:1
LOGIN = "login only"
PUBLIC = "public"

# root field → (operation, what it needs)
FIELDS: dict[str, tuple[str, Permission | str]] = {
    "Query.viewer": ("{ viewer { username } }", LOGIN),
    "Query.stores": ("{ stores { code } }", LOGIN),
    "Query.orders": ("{ orders(first: 1) { totalCount } }", Permission.ORDER_VIEW),
    "Query.order": ('{ order(number: "100001") { number } }', Permission.ORDER_VIEW),
    "Query.node": ('{ node(id: "T3JkZXI6MQ==") { id } }', Permission.ORDER_VIEW),
    "Query.postsalesActions": (
        "{ postsalesActions(first: 1) { totalCount } }",
        Permission.ORDER_VIEW,
    ),
    "Query.roles": ("{ roles { name } }", Permission.USER_MANAGE),
    "Query.users": ("{ users { username } }", Permission.USER_MANAGE),
    "Query.exchangeCandidates": (
        '{ exchangeCandidates(lineId: "TGluZTox") { code } }',
        Permission.ORDER_VIEW,
    ),
    "Mutation.login": (
        'mutation { login(input: {username: "nobody", password: "x"}) { __typename } }',
        PUBLIC,
    ),
    "Mutation.logout": ("mutation { logout { ok } }", LOGIN),
    "Mutation.orderCommentAdd": (
        'mutation { orderCommentAdd(input: {orderId: "T3JkZXI6MA==", text: "x"}) { __typename } }',
        Permission.COMMENT_ADD,
    ),
    "Mutation.exchangeCreate": (
        'mutation { exchangeCreate(input: {orderId: "T3JkZXI6MA==", lines: []}) { __typename } }',
        Permission.EXCHANGE_CREATE,
    ),
    "Mutation.reshipmentCreate": (
        'mutation { reshipmentCreate(input: {orderId: "T3JkZXI6MA==", lineIds: []}) '
        "{ __typename } }",
        Permission.RESHIPMENT_CREATE,
    ),
    "Mutation.orderCancel": (
        'mutation { orderCancel(input: {orderId: "T3JkZXI6MA==", lineIds: []}) { __typename } }',
        Permission.ORDER_CANCEL,
    ),
    "Mutation.roleCreate": (
        'mutation { roleCreate(input: {name: "", level: 3, permissions: [], '
        "storeAccess: NONE}) { __typename } }",
        Permission.USER_MANAGE,
    ),
    "Mutation.roleUpdate": (
        f'mutation {{ roleUpdate(input: {{roleId: "{ROLE_ID}", name: ""}}) {{ __typename }} }}',
        Permission.USER_MANAGE,
    ),
    "Mutation.userCreate": (
        'mutation { userCreate(input: {username: "", displayName: "", '
        f'roleId: "{ROLE_ID}", timeZone: "Nowhere", password: ""}}) {{ __typename }} }}',
        Permission.USER_MANAGE,
    ),
    "Mutation.userUpdate": (
        f'mutation {{ userUpdate(input: {{userId: "{USER_ID}", timeZone: "Nowhere"}}) '
        "{ __typename } }",
        Permission.USER_MANAGE,
    ),
    "Query.postsalesReasons": (
        "{ postsalesReasons(kind: RETURN) { code } }",
        Permission.ORDER_VIEW,
    ),
    "Query.returnSources": (
        '{ returnSources(orderId: "T3JkZXI6MA==") { code } }',
        Permission.ORDER_VIEW,
    ),
    "Query.settings": ("{ settings { postsalesSourcingStrategyEnabled } }", Permission.ORDER_VIEW),
    "Mutation.appeasementCreate": (
        'mutation { appeasementCreate(input: {lineId: "TGluZTow", amount: "1.00", '
        'reason: "GOODWILL"}) { __typename } }',
        Permission.APPEASEMENT_CREATE,
    ),
    "Mutation.appeasementCancel": (
        'mutation { appeasementCancel(input: {actionId: "UG9zdHNhbGVzQWN0aW9uOjA="}) '
        "{ __typename } }",
        Permission.APPEASEMENT_CANCEL,
    ),
    "Mutation.appeasementApprove": (
        'mutation { appeasementApprove(input: {actionId: "UG9zdHNhbGVzQWN0aW9uOjA=", '
        'comment: "ok"}) { __typename } }',
        Permission.APPEASEMENT_APPROVE,
    ),
    "Mutation.appeasementReject": (
        'mutation { appeasementReject(input: {actionId: "UG9zdHNhbGVzQWN0aW9uOjA=", '
        'comment: "ok"}) { __typename } }',
        Permission.APPEASEMENT_APPROVE,
    ),
    "Mutation.returnCreate": (
        'mutation { returnCreate(input: {orderId: "T3JkZXI6MA==", lines: [], comment: "x"}) '
        "{ __typename } }",
        Permission.RETURN_CREATE,
    ),
    "Mutation.returnApprove": (
        'mutation { returnApprove(input: {actionId: "UG9zdHNhbGVzQWN0aW9uOjA="}) { __typename } }',
        Permission.RETURN_APPROVE,
    ),
    "Mutation.returnCancel": (
        'mutation { returnCancel(input: {actionId: "UG9zdHNhbGVzQWN0aW9uOjA="}) { __typename } }',
        Permission.RETURN_CANCEL,
    ),
    "Mutation.settingsUpdate": (
        "mutation { settingsUpdate(input: {}) { __typename } }",
        Permission.SETTINGS_MANAGE,
    ),
    "Query.outboxMessages": (
        "{ outboxMessages(first: 1) { totalCount } }",
        Permission.SETTINGS_MANAGE,
    ),
    "Mutation.outboxMessageRetry": (
        'mutation { outboxMessageRetry(input: {messageId: "T3V0Ym94TWVzc2FnZTow"}) '
        "{ __typename } }",
        Permission.SETTINGS_MANAGE,
    ),
    "Mutation.paymentRefundConfirmed": (
        'mutation { paymentRefundConfirmed(input: {eventId: "e", refundId: 0, '
        "outcome: RELEASED}) { __typename } }",
        Permission.INTEGRATION,
    ),
    "Mutation.warehouseReturnReceived": (
        'mutation { warehouseReturnReceived(input: {eventId: "e", orderNumber: "0", '
        'lineNumbers: [1], source: "X", receivedAt: "2026-01-01T00:00:00Z"}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Mutation.orderImport": (
        'mutation { orderImport(input: {eventId: "e", order: {}}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Mutation.warehouseOrderReleased": (
        'mutation { warehouseOrderReleased(input: {eventId: "e", orderNumber: "0"}) '
        "{ __typename } }",
        Permission.INTEGRATION,
    ),
    "Mutation.warehouseLinesShipped": (
        'mutation { warehouseLinesShipped(input: {eventId: "e", orderNumber: "0", '
        'lineNumbers: [1], carrier: "X", trackingNumber: "1", '
        'shippedAt: "2026-01-01T00:00:00Z"}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Mutation.warehouseLinesDelivered": (
        'mutation { warehouseLinesDelivered(input: {eventId: "e", orderNumber: "0", '
        'lineNumbers: [1], deliveredAt: "2026-01-01T00:00:00Z"}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Mutation.orderShippingUpdate": (
        'mutation { orderShippingUpdate(input: {orderId: "T3JkZXI6MA==", '
        'shippingMethod: "Express"}) { __typename } }',
        Permission.ORDER_EDIT,
    ),
    "Mutation.shippingAppeasementCreate": (
        'mutation { shippingAppeasementCreate(input: {orderId: "T3JkZXI6MA==", amount: "1.00", '
        'reason: "GOODWILL"}) { __typename } }',
        Permission.APPEASEMENT_CREATE,
    ),
    "Mutation.refundRetry": (
        "mutation { refundRetry(input: {refundId: 0}) { __typename } }",
        Permission.REFUND_RETRY,
    ),
    "Mutation.reasonCreate": (
        'mutation { reasonCreate(input: {kind: RETURN, code: "x", label: "x"}) { __typename } }',
        Permission.SETTINGS_MANAGE,
    ),
    "Mutation.reasonUpdate": (
        'mutation { reasonUpdate(input: {kind: RETURN, code: "NOPE"}) { __typename } }',
        Permission.SETTINGS_MANAGE,
    ),
    "Mutation.sourceUpdate": (
        'mutation { sourceUpdate(input: {code: "NOPE", acceptsReturns: true}) { __typename } }',
        Permission.SETTINGS_MANAGE,
    ),
    "Query.sources": ("{ sources { code } }", Permission.ORDER_VIEW),
    "Mutation.catalogUpsert": (
        'mutation { catalogUpsert(input: {eventId: "e"}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Mutation.stockLevelsSet": (
        'mutation { stockLevelsSet(input: {eventId: "e", levels: []}) { __typename } }',
        Permission.INTEGRATION,
    ),
    "Query.followUps": ("{ followUps(first: 1) { totalCount } }", Permission.ORDER_VIEW),
    "Query.followUpAssignees": (
        '{ followUpAssignees(orderId: "T3JkZXI6MA==") { username } }',
        Permission.COMMENT_ADD,
    ),
    "Mutation.followUpCreate": (
        'mutation { followUpCreate(input: {orderId: "T3JkZXI6MA==", note: "x", '
        'dueAt: "2030-01-01T00:00:00Z"}) { __typename } }',
        Permission.COMMENT_ADD,
    ),
    **{
        f"Mutation.followUp{step}": (
            f'mutation {{ followUp{step}(input: {{id: "Rm9sbG93VXA6MA=="}}) {{ __typename }} }}',
            Permission.COMMENT_ADD,
        )
        for step in ("Complete", "Cancel")
    },
    "Mutation.followUpReassign": (
        'mutation { followUpReassign(input: {id: "Rm9sbG93VXA6MA==", '
        f'assigneeId: "{USER_ID}"}}) {{ __typename }} }}',
        Permission.COMMENT_ADD,
    ),
}

ROLE_PERMISSIONS = {
    "agent": {
        Permission.ORDER_VIEW,
        Permission.COMMENT_ADD,
        Permission.APPEASEMENT_CREATE,
        Permission.RETURN_CREATE,
        Permission.EXCHANGE_CREATE,
        Permission.RESHIPMENT_CREATE,
        Permission.ORDER_CANCEL,
        Permission.ORDER_EDIT,
    },
    "supervisor": {
        Permission.ORDER_VIEW,
        Permission.COMMENT_ADD,
        Permission.EXCHANGE_CREATE,
        Permission.RESHIPMENT_CREATE,
        Permission.APPEASEMENT_CREATE,
        Permission.APPEASEMENT_CANCEL,
        Permission.APPEASEMENT_APPROVE,
        Permission.RETURN_CREATE,
        Permission.RETURN_APPROVE,
        Permission.RETURN_CANCEL,
        Permission.ORDER_CANCEL,
        Permission.ORDER_EDIT,
        Permission.REFUND_RETRY,
    },
    "admin": set(Permission) - {Permission.INTEGRATION},
    # The demo's machine client: an API token, no password login.
    "integration": {Permission.INTEGRATION, Permission.ORDER_VIEW},
}


def _root_fields() -> set[str]:
    schema = build_schema()._schema
    found = set()
    for kind, type_ in (("Query", schema.query_type), ("Mutation", schema.mutation_type)):
        assert type_ is not None
        found |= {f"{kind}.{name}" for name in type_.fields}
    return found


def test_every_root_field_is_in_the_matrix() -> None:
    assert _root_fields() == set(FIELDS)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_the_schema_shows_the_permission_each_field_needs(field: str) -> None:
    kind, name = field.split(".")
    needed = FIELDS[field][1]
    block = SDL[SDL.index(f"type {kind} {{") :]
    block = block[: block.index("\n}")]
    line = re.search(rf"^  {name}[(:].*$", block, re.MULTILINE)
    assert line, field
    if isinstance(needed, Permission):
        assert line.group(0).endswith(f"@requiresPermission(permission: {needed.value})")
    else:
        assert "@requiresPermission" not in line.group(0)


def _expected(who: str | None, needed: Permission | str) -> str:
    if needed == PUBLIC:
        return "allowed"
    if who is None:
        return "UNAUTHENTICATED"
    if needed == LOGIN or needed in ROLE_PERMISSIONS[who]:
        return "allowed"
    return "FORBIDDEN"


@pytest.mark.parametrize("who", [None, "agent", "supervisor", "admin", "integration"])
async def test_matrix(db: Database, gql: GraphQLClient, who: str | None) -> None:
    cells = {}
    for field in sorted(FIELDS):
        # logout revokes the session or token: sign in again for every cell
        if who == "integration":
            async with db.write() as s:
                user_id = (await s.scalars(select(User.id).where(User.username == who))).one()
                gql.token, _ = await issue_token(s, user_id, TokenKind.API)
                await s.commit()
        elif who:
            await gql.login(who)
        body = await gql.execute(FIELDS[field][0])
        errors = body.get("errors") or []
        got = errors[0]["extensions"]["code"] if errors else "allowed"
        cells[field] = (got, _expected(who, FIELDS[field][1]))
    wrong = {f: c for f, c in cells.items() if c[0] != c[1]}
    assert wrong == {}, wrong


def test_nested_guarded_fields_show_their_directive() -> None:
    user_type = SDL[SDL.index("type User {") :]
    user_type = user_type[: user_type.index("\n}")]
    assert "@requiresPermission(permission: USER_MANAGE)" in user_type
