"""The measurements, over HTTP with httpx: the equality check of the raw baseline against
csdesk, interleaved latencies (csdesk, raw, csdesk, raw, … per case, after a warm-up), and
throughput of N concurrent clients. Works on any pair of httpx clients: real servers (the
harness) or ASGI apps in process (the test)."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.cases import LOGIN, QUEUE, Case

STATEMENTS = "x-bench-statements"


async def login(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"username": username, "password": password}},
    )
    result = response.json()["data"]["login"]
    if result.get("__typename") != "LoginSuccess":
        raise SystemExit(f"bench: cannot sign in as {username}: {result}")
    return str(result["token"])


def _failed(response: httpx.Response) -> bool:
    """An HTTP or GraphQL error, or a mutation answering one of its error types."""
    body = response.content
    if response.status_code != 200 or b'"errors"' in body:
        return True
    return b'"__typename"' in body and b'Success"' not in body


@dataclass
class Answer:
    body: bytes
    statements: int | None
    failed: bool
    status: int = 200

    def error(self) -> str:
        """What went wrong, shortly (for the report)."""
        return f"HTTP {self.status}: {self.body[:300].decode(errors='replace')}"


async def ask(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> Answer:
    response = await client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    header = response.headers.get(STATEMENTS)
    return Answer(
        response.content,
        int(header) if header else None,
        _failed(response),
        response.status_code,
    )


async def deep_cursor(
    client: httpx.AsyncClient, token: str, pages: int, first: int = 50
) -> str | None:
    """The queue's endCursor after ``pages`` pages, walked on ``client``; None when shorter."""
    after = None
    for _ in range(pages):
        variables = {"first": first, "after": after}
        answer = await ask(client, token, {"query": QUEUE, "variables": variables})
        info = json.loads(answer.body)["data"]["orders"]["pageInfo"]
        if not info["hasNextPage"]:
            return None
        after = info["endCursor"]
    return after


COST_TAIL = re.compile(rb',"extensions":\{"cost":\{"requested":\d+,"limit":\d+\}\}\}$')


def without_cost(body: bytes) -> bytes:
    """csdesk's answer without the ``extensions.cost`` it reports on every response.

    The cost is computed before the query runs (the work stays in csdesk's timings); the
    baseline answers ``data`` only, so the comparison is of everything before it."""
    return COST_TAIL.sub(b"}", body)


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON values first differ, e.g. ``$.data.order.lines[2].tax.amount: …``."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            if found := first_difference(a[key], b[key], f"{path}.{key}"):
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if found := first_difference(x, y, f"{path}[{i}]"):
                return found
        return None if len(a) == len(b) else f"{path}: {len(a)} items != {len(b)}"
    if a != b or type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    return None


@dataclass
class Check:
    equal: bool
    detail: str
    csdesk: Answer
    raw: Answer


async def check(csdesk: httpx.AsyncClient, raw: httpx.AsyncClient, token: str, case: Case) -> Check:
    """Both answers to ``case``; equal only when byte for byte the same, without errors."""
    a = await ask(csdesk, token, case.body())
    b = await ask(raw, token, case.body())
    if a.failed:
        return Check(False, f"csdesk answered an error: {a.body[:300]!r}", a, b)
    answered = without_cost(a.body)
    if answered == b.body:
        return Check(True, "", a, b)
    try:
        where = first_difference(json.loads(answered), json.loads(b.body)) or "same JSON values"
    except ValueError:
        where = "raw answer is not JSON"
    return Check(False, f"bytes differ ({where}); raw: {b.body[:200]!r}", a, b)


@dataclass
class Timings:
    ms: list[float] = field(default_factory=list)
    errors: int = 0
    statements: int | None = None
    first_error: str | None = None

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.ms)
        return {
            "median_ms": round(statistics.median(ordered), 2) if ordered else None,
            "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 2) if ordered else None,
            "requests": len(ordered),
            "errors": self.errors,
            "statements": self.statements,
            "first_error": self.first_error,
        }


async def _timed(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], into: Timings
) -> None:
    start = time.perf_counter()
    answer = await ask(client, token, body)
    into.ms.append((time.perf_counter() - start) * 1000)
    if answer.failed:
        into.errors += 1
        into.first_error = into.first_error or answer.error()
    if answer.statements is not None:
        # The fewest: the once-a-minute session touch adds one to an odd request.
        seen = into.statements
        into.statements = answer.statements if seen is None else min(seen, answer.statements)


async def interleaved(
    targets: list[httpx.AsyncClient],
    token: str,
    bodies: Callable[[], dict[str, Any]],
    *,
    repeat: int,
    warmup: int,
) -> list[Timings]:
    """Latencies of the same requests on each target in turn (A B A B …), after ``warmup``
    untimed rounds, so that noise on the machine falls on every target alike."""
    for _ in range(warmup):
        for client in targets:
            await ask(client, token, bodies())
    results = [Timings() for _ in targets]
    for _ in range(repeat):
        for client, into in zip(targets, results, strict=True):
            await _timed(client, token, bodies(), into)
    return results


@dataclass
class Throughput:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_error: str | None = None

    def summary(self) -> dict[str, Any]:
        rate = self.requests / self.seconds if self.seconds else 0.0
        return {
            "req_per_s": round(rate, 1),
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "first_error": self.first_error,
        }


async def _burst(
    client: httpx.AsyncClient,
    token: str,
    bodies: Callable[[], dict[str, Any]],
    clients: int,
    seconds: float,
    into: Throughput,
) -> None:
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            try:
                answer = await ask(client, token, bodies())
                if answer.failed:
                    into.errors += 1
                    into.first_error = into.first_error or answer.error()
            except httpx.HTTPError as exc:
                into.errors += 1
                into.first_error = into.first_error or f"{type(exc).__name__}: {exc}"
            into.requests += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    into.seconds += time.perf_counter() - start


async def throughput(
    targets: list[httpx.AsyncClient],
    token: str,
    bodies: Callable[[], dict[str, Any]],
    *,
    clients: int,
    seconds: float,
    rounds: int,
) -> list[Throughput]:
    """Requests per second with ``clients`` concurrent clients, in ``rounds`` bursts of
    ``seconds`` per target, the targets taking turns (and turns about who goes first)."""
    results = [Throughput() for _ in targets]
    for r in range(rounds):
        order = list(zip(targets, results, strict=True))
        if r % 2:
            order.reverse()
        for client, into in order:
            await _burst(client, token, bodies, clients, seconds, into)
    return results


def cycling(case: Case, key: str, values: list[str]) -> Callable[[], dict[str, Any]]:
    """Bodies of ``case`` with variable ``key`` taking each of ``values`` in turn."""
    it = itertools.cycle(values)
    return lambda: {**case.body(), "variables": {**case.variables, key: next(it)}}
