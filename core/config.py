"""Settings read from the environment (CSDESK_*), with development defaults."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./csdesk.db"
# Signs webhooks in development; production mode refuses to start with it.
DEVELOPMENT_WEBHOOK_SECRET = "csdesk-dev-secret"


class ConfigError(ValueError):
    """A CSDESK_* variable holds a value csdesk cannot use."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: use true or false")


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number") from None


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in choices:
        raise ConfigError(f"{name}={raw!r}: use {' or '.join(choices)}")
    return raw.lower()


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level() -> str:
    raw = (os.environ.get("CSDESK_LOG_LEVEL") or "INFO").upper()
    if raw not in LOG_LEVELS:
        raise ConfigError(f"CSDESK_LOG_LEVEL={raw!r}: use one of {', '.join(LOG_LEVELS)}")
    return raw


def _proxies() -> tuple[str, ...]:
    raw = os.environ.get("CSDESK_TRUSTED_PROXIES") or ""
    entries = tuple(e.strip() for e in raw.replace(";", ",").split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"CSDESK_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network"
            ) from None
    return entries


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # "development" serves GraphiQL and reports extensions.sqlStatements; "production" does not.
    environment: str = "development"
    # Zone for date filters and rendering when no viewer zone applies (e.g. tooling).
    default_time_zone: str = "Europe/London"
    session_idle_hours: float = 12.0
    # Peers whose X-Forwarded-For is believed (IPs or CIDRs); none by default (auth/addresses.py).
    trusted_proxies: tuple[str, ...] = ()
    # A session ends this long after sign-in however busy it is; 0 turns the limit off.
    session_absolute_hours: float = 12.0
    cookie_secure: bool = False
    # Logs: "json" (one JSON object per line) or "console" (readable); None picks json in
    # production, console in development (core/logs.py).
    log_format: str | None = None
    log_level: str = "INFO"
    # /metrics (Prometheus): served when on; with a token, only to "Authorization: Bearer <token>".
    metrics_enabled: bool = True
    metrics_token: str | None = None
    # The purge (resolvers/purge.py): what is kept, and how often the worker runs it.
    idempotency_retention_days: float = 7.0
    login_attempt_retention_days: float = 30.0
    purge_interval_minutes: float = 60.0
    smtp_url: str | None = None
    mail_dir: str = "./var/mail"
    payment_webhook_url: str | None = None
    warehouse_webhook_url: str | None = None
    webhook_secret: str = DEVELOPMENT_WEBHOOK_SECRET
    # Where messages without a configured receiver are written (one JSON file each).
    spool_dir: str = "./var/spool"
    outbox_max_attempts: int = 8
    # First retry delay; each further attempt doubles it, up to outbox_retry_max_seconds.
    outbox_retry_base_seconds: float = 5.0
    outbox_retry_max_seconds: float = 900.0
    # How long a claimed message stays invisible to other workers while it is delivered.
    outbox_lease_seconds: float = 60.0
    # Demo only: a built-in payment system that confirms every credit note after a delay.
    payment_simulator: bool = False
    payment_simulator_delay_seconds: float = 10.0
    # Demo only: a built-in warehouse that releases, ships and delivers new orders, one step
    # per delay (resolvers.warehouse_simulator).
    warehouse_simulator: bool = False
    warehouse_simulator_delay_seconds: float = 20.0
    # `csdesk serve` runs the outbox worker in the same process (the demo does).
    worker_in_process: bool = False
    # Queries costing more are refused before they run (schema/cost.py, README "Query cost").
    max_query_cost: int = 10_000
    # Production only: answer introspection and "Did you mean" suggestions to everyone.
    introspection: bool = False
    # Run only the contract's operations (frontend-contract/trusted-documents.json).
    trusted_documents: bool = False
    trusted_documents_file: str | None = None
    # A query running longer is stopped with REQUEST_TIMEOUT; 0 turns the budget off.
    request_timeout_seconds: float = 10.0
    # Subscriptions over WebSocket (README "Live updates"): running subscriptions per
    # connection, open connections per user, how long a connection may run no subscription,
    # and how often an open connection's login is checked again (revoked, expired, changed).
    ws_max_subscriptions: int = 20
    ws_max_connections_per_user: int = 5
    ws_idle_seconds: float = 300.0
    ws_recheck_seconds: float = 60.0
    # Request bodies larger than this are answered 413 without being read (0: no limit).
    max_body_bytes: int = 1_048_576

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def logs_as_json(self) -> bool:
        """JSON lines unless asked otherwise; readable lines by default in development."""
        if self.log_format is not None:
            return self.log_format == "json"
        return not self.development

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` in production whatever CSDESK_COOKIE_SECURE says."""
        return self.cookie_secure or not self.development

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from CSDESK_* environment variables; keyword overrides win."""
        env = os.environ.get("CSDESK_ENV", "development")
        if env not in {"development", "production"}:
            raise ConfigError(f"CSDESK_ENV={env!r}: use development or production")
        zone = os.environ.get("CSDESK_DEFAULT_TIME_ZONE", "Europe/London")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"CSDESK_DEFAULT_TIME_ZONE={zone!r}: not an IANA time zone (e.g. Europe/Berlin)"
            ) from None
        values: dict[str, object] = {
            "database_url": os.environ.get("CSDESK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "environment": env,
            "default_time_zone": zone,
            "trusted_proxies": _proxies(),
            "session_idle_hours": _float("CSDESK_SESSION_IDLE_HOURS", 12.0),
            "session_absolute_hours": _float("CSDESK_SESSION_ABSOLUTE_HOURS", 12.0),
            "cookie_secure": _bool("CSDESK_COOKIE_SECURE", False),
            "log_format": _choice("CSDESK_LOG_FORMAT", ("json", "console")),
            "log_level": _log_level(),
            "metrics_enabled": _bool("CSDESK_METRICS", True),
            "metrics_token": os.environ.get("CSDESK_METRICS_TOKEN") or None,
            "idempotency_retention_days": _float("CSDESK_IDEMPOTENCY_RETENTION_DAYS", 7.0),
            "login_attempt_retention_days": _float("CSDESK_LOGIN_ATTEMPT_RETENTION_DAYS", 30.0),
            "purge_interval_minutes": _float("CSDESK_PURGE_INTERVAL_MINUTES", 60.0),
            "smtp_url": os.environ.get("CSDESK_SMTP_URL") or None,
            "mail_dir": os.environ.get("CSDESK_MAIL_DIR") or "./var/mail",
            "payment_webhook_url": os.environ.get("CSDESK_PAYMENT_WEBHOOK_URL") or None,
            "warehouse_webhook_url": os.environ.get("CSDESK_WAREHOUSE_WEBHOOK_URL") or None,
            "webhook_secret": os.environ.get("CSDESK_WEBHOOK_SECRET") or DEVELOPMENT_WEBHOOK_SECRET,
            "spool_dir": os.environ.get("CSDESK_SPOOL_DIR") or "./var/spool",
            "outbox_max_attempts": int(_float("CSDESK_OUTBOX_MAX_ATTEMPTS", 8)),
            "outbox_retry_base_seconds": _float("CSDESK_OUTBOX_RETRY_BASE_SECONDS", 5.0),
            "outbox_retry_max_seconds": _float("CSDESK_OUTBOX_RETRY_MAX_SECONDS", 900.0),
            "outbox_lease_seconds": _float("CSDESK_OUTBOX_LEASE_SECONDS", 60.0),
            "payment_simulator": _bool("CSDESK_PAYMENT_SIMULATOR", False),
            "payment_simulator_delay_seconds": _float("CSDESK_PAYMENT_SIMULATOR_DELAY", 10.0),
            "warehouse_simulator": _bool("CSDESK_WAREHOUSE_SIMULATOR", False),
            "warehouse_simulator_delay_seconds": _float("CSDESK_WAREHOUSE_SIMULATOR_DELAY", 20.0),
            "worker_in_process": _bool("CSDESK_WORKER_IN_PROCESS", False),
            "max_query_cost": int(_float("CSDESK_MAX_QUERY_COST", 10_000)),
            "introspection": _bool("CSDESK_INTROSPECTION", False),
            "trusted_documents": _bool("CSDESK_TRUSTED_DOCUMENTS", False),
            "trusted_documents_file": os.environ.get("CSDESK_TRUSTED_DOCUMENTS_FILE") or None,
            "request_timeout_seconds": _float("CSDESK_REQUEST_TIMEOUT_SECONDS", 10.0),
            "ws_max_subscriptions": int(_float("CSDESK_WS_MAX_SUBSCRIPTIONS", 20)),
            "ws_max_connections_per_user": int(_float("CSDESK_WS_MAX_CONNECTIONS_PER_USER", 5)),
            "ws_idle_seconds": _float("CSDESK_WS_IDLE_SECONDS", 300.0),
            "ws_recheck_seconds": _float("CSDESK_WS_RECHECK_SECONDS", 60.0),
            "max_body_bytes": int(_float("CSDESK_MAX_BODY_BYTES", 1_048_576)),
        }
        values.update(overrides)
        # One heterogeneous dict for every field (parsed above, typed by each helper), so mypy
        # cannot match values to fields; the dataclass names each key, and a wrong key fails.
        return cls(**values)  # type: ignore[arg-type]
