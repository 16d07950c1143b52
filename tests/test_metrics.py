"""Prometheus metrics at /metrics over real HTTP: requests, errors and latency per operation
(ad-hoc names under one label), the outbox's depth, age and dead letters, the token."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from core.db import Database
from csdesk.app import create_app
from csdesk.metrics import CONTRACT_OPERATIONS
from models import OutboxMessage
from models.base import utcnow
from models.enums import Destination, OutboxStatus
from tests.conftest import GraphQLClient, make_settings

DETAIL = "query OrderDetail($n: String!) { order(number: $n) { number status } }"
OPERATIONS = Path(__file__).resolve().parent.parent / "frontend-contract" / "operations"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client: httpx.AsyncClient) -> dict[Any, float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_count_requests_errors_and_latency_per_operation(
    client: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    await gql.login("agent")
    before = await scrape(client)
    for _ in range(2):
        await gql.data(DETAIL, {"n": "100001"})
    await gql.execute("query Made_Up_1 { viewer { username } }")
    await gql.execute("query Made_Up_2 { viewer { username } }")
    await client.post("/graphql", json={"query": "query OrderDetail { nope }"})
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "csdesk_graphql_requests_total"
    assert delta(requests, operation="OrderDetail", type="query", outcome="ok") == 2
    # ad-hoc names share one label
    assert delta(requests, operation="other", type="query", outcome="ok") == 2
    assert delta(requests, operation="OrderDetail", type="query", outcome="error") == 1
    assert (
        delta(
            "csdesk_graphql_errors_total", operation="OrderDetail", code="GRAPHQL_VALIDATION_FAILED"
        )
        == 1
    )
    assert delta("csdesk_graphql_request_duration_seconds_count", operation="OrderDetail") == 3
    assert not any("Made_Up" in str(key) for key in after)
    assert value(after, "csdesk_database_up") == 1


async def test_metrics_show_outbox_depth_age_and_dead_letters(
    db: Database, client: httpx.AsyncClient
) -> None:
    hour_ago = utcnow() - dt.timedelta(hours=1)
    async with db.write() as session:
        await session.execute(update(OutboxMessage).values(status=OutboxStatus.DELIVERED))
        session.add_all(
            [
                OutboxMessage(destination=Destination.PAYMENT, topic="credit_note",
                              created_at=hour_ago),
                OutboxMessage(destination=Destination.PAYMENT, topic="credit_note"),
                OutboxMessage(destination=Destination.EMAIL, topic="return_approved",
                              status=OutboxStatus.DEAD, attempts=8, last_error="550"),
                OutboxMessage(destination=Destination.EMAIL, topic="return_approved",
                              status=OutboxStatus.DELIVERED, created_at=hour_ago),
            ]
        )  # fmt: skip
        await session.commit()
    found = await scrape(client)
    assert value(found, "csdesk_outbox_pending", destination="PAYMENT") == 2
    assert (
        3600
        <= value(found, "csdesk_outbox_oldest_pending_age_seconds", destination="PAYMENT")
        < 3700
    )
    assert value(found, "csdesk_outbox_pending", destination="EMAIL") == 0
    assert value(found, "csdesk_outbox_oldest_pending_age_seconds", destination="EMAIL") == 0
    assert value(found, "csdesk_outbox_dead", destination="EMAIL") == 1
    assert value(found, "csdesk_outbox_dead", destination="PAYMENT") == 0
    assert value(found, "csdesk_outbox_pending", destination="WAREHOUSE") == 0


async def test_metrics_token_and_switch(db: Database) -> None:
    guarded = create_app(make_settings(db, metrics_token="s3cret"), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=guarded), base_url="http://testserver"
    ) as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401 and "CSDESK_METRICS_TOKEN" in refused.text
        assert (
            await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert allowed.status_code == 200 and "csdesk_outbox_pending" in allowed.text
    off = create_app(make_settings(db, metrics_enabled=False), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=off), base_url="http://testserver"
    ) as http:
        assert (await http.get("/metrics")).status_code == 404


def test_contract_operations_are_the_metric_labels() -> None:
    names = set()
    for path in OPERATIONS.glob("*.graphql"):
        names |= set(
            re.findall(r"^(?:query|mutation|subscription)\s+(\w+)", path.read_text(), re.M)
        )
    assert names == CONTRACT_OPERATIONS, (
        "csdesk/metrics.py CONTRACT_OPERATIONS must list the operations of "
        f"frontend-contract/operations/: missing {sorted(names - CONTRACT_OPERATIONS)}, "
        f"extra {sorted(CONTRACT_OPERATIONS - names)}"
    )


async def test_metrics_show_breached_post_sales_actions_per_store(
    db: Database, client: httpx.AsyncClient
) -> None:
    """Queue ageing (docs/supervision.md): the count per store of actions past their service
    target is what the post-sales queue's `breached` filter finds there."""
    gql = GraphQLClient(client)
    await gql.login("admin")
    query = """query($s: [String!]!) { postsalesActions(filter: {breached: true, storeCodes: $s},
        first: 1) { totalCount } }"""
    found = await scrape(client)
    counts = {}
    for store in ("UK", "DE", "FR", "US"):
        data = await gql.data(query, {"s": [store]})
        counts[store] = data["postsalesActions"]["totalCount"]
        assert value(found, "csdesk_postsales_breached", store=store) == counts[store], store
    assert sum(counts.values()) > 0, "the seed holds returns waiting past their target"
