"""Prometheus metrics (``prometheus-client``) served at ``/metrics``.

Counted by each app process as it answers (``observe``): GraphQL requests per operation name,
type and outcome, their latency, and their top-level errors per code. Read from the database
at each scrape (``outbox_snapshot``): the outbox's pending messages and the age of the oldest
per destination, and its dead letters, the same whichever process answers.

Labels stay few: an operation name is kept when it is one of the contract's
(``frontend-contract/operations/``, listed in ``CONTRACT_OPERATIONS``; a test fails when the
two differ), ``anonymous`` when the document named none, and ``other`` for every other name,
so that a client inventing names cannot grow the label set. Error codes outside
``ERROR_CODES`` count as ``OTHER``.

Several processes (``csdesk serve --workers N``): prometheus-client's multiprocess mode, which
``csdesk serve`` turns on by pointing ``PROMETHEUS_MULTIPROC_DIR`` at an empty directory
before uvicorn starts its workers; each worker writes its counters there and whichever worker
answers a scrape adds them all up (README, "Logs and metrics").
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select

from core.db import Database
from core.observability import RequestRecord
from models import OutboxMessage, PostsalesAction, Store
from models.base import utcnow
from models.enums import Destination, OutboxStatus
from resolvers.settings import resolved_targets

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# The operations of frontend-contract/operations/ (tests/test_observability.py compares).
CONTRACT_OPERATIONS = frozenset(
    {
        "AppeasementApprove", "AppeasementCancel", "AppeasementCreate", "AppeasementReject",
        "ApprovalQueue", "RoleLimits", "RoleLimitsUpdate", "ServiceTargetsUpdate",
        "CustomerOrders", "ExchangeCandidates",
        "FollowUpAssignees", "FollowUpCancel", "FollowUpComplete", "FollowUpCreate",
        "FollowUpReassign", "FollowUps", "OrderChanged", "PostsalesQueueChanged",
        "ExchangeCreate", "Login", "Logout", "OrderActions", "OrderCancel", "OrderCommentAdd",
        "OrderDetail", "OrderQueue", "OrderRefunds", "OrderSearch", "OrderShipments",
        "OrderShippingUpdate", "OutboxMessageRetry", "OutboxMessages", "PostsalesQueue",
        "PostsalesReasons", "ReasonCreate", "ReasonUpdate", "ReasonsAdmin", "RefundRetry",
        "ReshipmentCreate", "ReturnApprove", "ReturnCancel", "ReturnCreate", "ReturnSources",
        "RoleCreate", "RoleUpdate", "Roles", "Settings", "SettingsUpdate",
        "ShippingAppeasementCreate", "SourceUpdate", "UserCreate", "UserUpdate", "Users",
        "Viewer", "WarehouseLinesDelivered", "WarehouseLinesShipped", "WarehouseOrderReleased",
        "WarehouseReturnReceived",
    }
)  # fmt: skip

ERROR_CODES = frozenset(
    {
        "BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "INTERNAL_SERVER_ERROR",
        "QUERY_TOO_COMPLEX", "REQUEST_TIMEOUT", "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST",
    }
)  # fmt: skip

# From a cached document's few milliseconds to the 10-second budget of a query.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "csdesk_graphql_requests",
    "GraphQL requests answered, by operation name, type and outcome "
    "(ok, user_error: a mutation answered a typed error, error: top-level errors).",
    ["operation", "type", "outcome"],
)
ERRORS = Counter(
    "csdesk_graphql_errors",
    "Top-level GraphQL errors, by operation name and extensions.code.",
    ["operation", "code"],
)
LATENCY = Histogram(
    "csdesk_graphql_request_duration_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
HTTP_RESPONSES = Counter(
    "csdesk_http_responses",
    "HTTP responses by status class (2xx … 5xx), every path.",
    ["status"],
)


def operation_label(name: str | None) -> str:
    """The operation name as a label: bounded (module docstring)."""
    if name is None:
        return "anonymous"
    return name if name in CONTRACT_OPERATIONS else "other"


def code_label(code: str) -> str:
    return code if code in ERROR_CODES else "OTHER"


def observe(record: RequestRecord, status: int, seconds: float) -> None:
    """Count one answered request."""
    HTTP_RESPONSES.labels(status=f"{status // 100}xx").inc()
    if not record.graphql:
        return
    operation = operation_label(record.operation)
    outcome = "error" if status >= 500 else record.outcome
    REQUESTS.labels(
        operation=operation, type=record.operation_type or "unknown", outcome=outcome
    ).inc()
    LATENCY.labels(operation=operation).observe(seconds)
    for code in record.error_codes:
        ERRORS.labels(operation=operation, code=code_label(code)).inc()


@dataclass
class OutboxSnapshot:
    """The outbox per destination, as a scrape reads it."""

    pending: dict[str, int] = field(default_factory=dict)
    oldest_pending_age: dict[str, float] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)
    # Post-sales actions past their store's service target (resolvers.ageing), by store code.
    breached: dict[str, int] = field(default_factory=dict)
    database_up: bool = True


async def outbox_snapshot(db: Database) -> OutboxSnapshot:
    """One grouped query over the pending and dead messages (the status index serves it)."""
    snapshot = OutboxSnapshot()
    for destination in Destination:
        snapshot.pending[destination.value] = 0
        snapshot.oldest_pending_age[destination.value] = 0.0
        snapshot.dead[destination.value] = 0
    query = (
        select(
            OutboxMessage.destination,
            OutboxMessage.status,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.DEAD]))
        .group_by(OutboxMessage.destination, OutboxMessage.status)
    )
    async with db.read() as session:
        rows = (await session.execute(query)).all()
        targets = await resolved_targets(session)
        late = (
            select(Store.code, func.count(PostsalesAction.id))
            .select_from(Store)
            .outerjoin(
                PostsalesAction,
                and_(
                    PostsalesAction.store_id == Store.id,
                    targets.due_before(utcnow()),
                ),
            )
            .group_by(Store.code)
        )
        snapshot.breached = {code: int(n) for code, n in (await session.execute(late)).all()}
    now = utcnow()
    for destination, status, count, oldest in rows:
        key = Destination(destination).value
        if status == OutboxStatus.DEAD:
            snapshot.dead[key] = int(count)
            continue
        snapshot.pending[key] = int(count)
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite gives naive UTC
                oldest = oldest.replace(tzinfo=dt.UTC)
            snapshot.oldest_pending_age[key] = max(0.0, (now - oldest).total_seconds())
    return snapshot


class SnapshotCollector(Collector):
    """The database's figures as gauges, for one scrape."""

    def __init__(self, snapshot: OutboxSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> list[Metric]:
        up = GaugeMetricFamily(
            "csdesk_database_up", "1 when the scrape could read the database, else 0."
        )
        up.add_metric([], 1.0 if self.snapshot.database_up else 0.0)
        if not self.snapshot.database_up:
            return [up]
        pending = GaugeMetricFamily(
            "csdesk_outbox_pending",
            "Outbox messages waiting for delivery (PENDING), by destination.",
            labels=["destination"],
        )
        age = GaugeMetricFamily(
            "csdesk_outbox_oldest_pending_age_seconds",
            "Age of the oldest PENDING outbox message, by destination (0 when none).",
            labels=["destination"],
        )
        dead = GaugeMetricFamily(
            "csdesk_outbox_dead",
            "Dead letters: outbox messages that failed every attempt (DEAD), by destination.",
            labels=["destination"],
        )
        for key, value in sorted(self.snapshot.pending.items()):
            pending.add_metric([key], float(value))
        for key, seconds in sorted(self.snapshot.oldest_pending_age.items()):
            age.add_metric([key], seconds)
        for key, value in sorted(self.snapshot.dead.items()):
            dead.add_metric([key], float(value))
        breached = GaugeMetricFamily(
            "csdesk_postsales_breached",
            "Post-sales actions waiting past their store's service target, by store.",
            labels=["store"],
        )
        for key, value in sorted(self.snapshot.breached.items()):
            breached.add_metric([key], float(value))
        return [up, pending, age, dead, breached]


def exposition(snapshot: OutboxSnapshot) -> bytes:
    """The text format: this process's counters (or every process's, in multiprocess mode)
    and the database's gauges."""
    if os.environ.get(MULTIPROC_ENV):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        body = generate_latest(counted)
    else:
        body = generate_latest(REGISTRY)
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(SnapshotCollector(snapshot))
    return body + generate_latest(gauges)
