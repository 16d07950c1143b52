"""Logins, cookies and bearer tokens, expiry, logout, deactivation, and login abuse."""

from __future__ import annotations

import datetime as dt
import time

import httpx
from sqlalchemy import func, select, update

from auth.sessions import COOKIE_NAME
from core.db import Database
from models import LoginAttempt, Role, SessionToken, User
from tests.conftest import GraphQLClient

VIEWER = "{ viewer { username displayName timeZone role { name level } permissions } }"
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  __typename ... on UserError { code message field } ... on TooManyAttempts { retryAfterSeconds }
  ... on LoginSuccess { token } } }"""


def code(body: dict) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_login_sets_a_strict_httponly_cookie_that_signs_in(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": "agent", "p": "agent"}}
    )
    assert r.json()["data"]["login"]["__typename"] == "LoginSuccess"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    # httpx keeps the cookie: the next request is signed in without a bearer token.
    r = await client.post("/graphql", json={"query": VIEWER})
    assert r.json()["data"]["viewer"]["username"] == "agent"


async def test_viewer_shows_role_permissions_and_zone(gql: GraphQLClient) -> None:
    await gql.login("agent")
    v = (await gql.data(VIEWER))["viewer"]
    assert v["role"] == {"name": "CS Agent", "level": 3}
    assert v["timeZone"] == "Europe/London"
    assert "ORDER_VIEW" in v["permissions"] and "RETURN_APPROVE" not in v["permissions"]


async def test_no_login_and_bad_tokens_are_unauthenticated(gql: GraphQLClient) -> None:
    assert code(await gql.execute(VIEWER)) == "UNAUTHENTICATED"
    assert code(await gql.execute(VIEWER, token="not-a-token")) == "UNAUTHENTICATED"


async def test_logout_revokes_the_token_at_once(gql: GraphQLClient) -> None:
    token = await gql.login("supervisor")
    assert (await gql.data("mutation { logout { ok } }"))["logout"]["ok"] is True
    assert code(await gql.execute(VIEWER, token=token)) == "UNAUTHENTICATED"


async def test_idle_sessions_expire(db: Database, gql: GraphQLClient) -> None:
    token = await gql.login("agent")
    async with db.write() as s:
        await s.execute(
            update(SessionToken).values(
                last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=12, minutes=1)
            )
        )
        await s.commit()
    assert code(await gql.execute(VIEWER, token=token)) == "UNAUTHENTICATED"


async def test_recent_use_keeps_a_session_alive(db: Database, gql: GraphQLClient) -> None:
    token = await gql.login("agent")
    async with db.write() as s:
        await s.execute(
            update(SessionToken).values(
                last_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=11, minutes=59)
            )
        )
        await s.commit()
    assert (await gql.data(VIEWER))["viewer"]["username"] == "agent"
    async with db.read() as s:
        used = await s.scalar(select(func.max(SessionToken.last_used_at)))
    assert used is not None and dt.datetime.now(dt.UTC) - used < dt.timedelta(minutes=1)
    assert token


async def test_deactivated_users_lose_their_sessions_at_once(
    db: Database, gql: GraphQLClient
) -> None:
    await gql.login("agent")
    async with db.write() as s:
        await s.execute(update(User).where(User.username == "agent").values(active=False))
        await s.commit()
    assert code(await gql.execute(VIEWER)) == "UNAUTHENTICATED"
    body = await gql.execute(LOGIN, {"u": "agent", "p": "agent"})
    assert body["data"]["login"]["__typename"] == "InvalidCredentials"


async def test_a_role_change_applies_on_the_next_request(db: Database, gql: GraphQLClient) -> None:
    await gql.login("agent")
    assert (await gql.data("{ orders(first: 1) { totalCount } }"))["orders"]["totalCount"] > 0
    async with db.write() as s:
        role = (await s.scalars(select(Role).where(Role.name == "CS Agent"))).one()
        role.permissions = [p for p in role.permissions if p != "ORDER_VIEW"]
        await s.commit()
    assert code(await gql.execute("{ orders(first: 1) { totalCount } }")) == "FORBIDDEN"


async def test_unknown_user_and_wrong_password_look_the_same(gql: GraphQLClient) -> None:
    timings = {}
    answers = {}
    for user, password in (("agent", "wrong-password"), ("nobody-here", "wrong-password")):
        start = time.perf_counter()
        body = await gql.execute(LOGIN, {"u": user, "p": password})
        timings[user] = time.perf_counter() - start
        result = body["data"]["login"]
        answers[user] = (result["__typename"], result["code"], result["message"])
    assert answers["agent"] == answers["nobody-here"]
    assert answers["agent"][1] == "INVALID_CREDENTIALS"
    # Both paths verify an argon2 hash; neither returns early.
    slow, fast = max(timings.values()), min(timings.values())
    assert fast > slow / 3, timings


async def test_five_failures_lock_the_username_for_that_address(
    db: Database, gql: GraphQLClient
) -> None:
    for _ in range(5):
        body = await gql.execute(LOGIN, {"u": "agent", "p": "bad-password"})
        assert body["data"]["login"]["code"] == "INVALID_CREDENTIALS"
    # Even the right password is refused while locked, with a clear error.
    body = await gql.execute(LOGIN, {"u": "agent", "p": "agent"})
    locked = body["data"]["login"]
    assert locked["__typename"] == "TooManyAttempts"
    assert locked["code"] == "TOO_MANY_ATTEMPTS" and locked["retryAfterSeconds"] == 900
    # Other usernames are not affected.
    assert (await gql.execute(LOGIN, {"u": "admin", "p": "admin"}))["data"]["login"][
        "__typename"
    ] == "LoginSuccess"
    # When the window has passed, the user can sign in again.
    async with db.write() as s:
        await s.execute(
            update(LoginAttempt).values(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
        )
        await s.commit()
    assert (await gql.execute(LOGIN, {"u": "agent", "p": "agent"}))["data"]["login"][
        "__typename"
    ] == "LoginSuccess"


async def test_health_answers_without_login(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_stores_are_those_the_viewer_sees(gql: GraphQLClient) -> None:
    await gql.login("agent")
    assert (await gql.data("{ stores { code } }"))["stores"] == [{"code": "DE"}, {"code": "UK"}]
    await gql.login("supervisor")
    codes = [s["code"] for s in (await gql.data("{ stores { code currency } }"))["stores"]]
    assert codes == ["DE", "FR", "UK", "US"]
