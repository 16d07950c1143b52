"""Settings read from the environment (CSDESK_*), with development defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./csdesk.db"


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


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # "development" serves GraphiQL and reports extensions.sqlStatements; "production" does not.
    environment: str = "development"
    # Zone for date filters and rendering when no viewer zone applies (e.g. tooling).
    default_time_zone: str = "Europe/London"
    session_idle_hours: float = 12.0
    cookie_secure: bool = False
    smtp_url: str | None = None
    mail_dir: str = "./var/mail"
    payment_webhook_url: str | None = None
    warehouse_webhook_url: str | None = None
    webhook_secret: str = "csdesk-dev-secret"
    outbox_max_attempts: int = 8
    payment_simulator: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def development(self) -> bool:
        return self.environment == "development"

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
            "session_idle_hours": _float("CSDESK_SESSION_IDLE_HOURS", 12.0),
            "cookie_secure": _bool("CSDESK_COOKIE_SECURE", False),
            "smtp_url": os.environ.get("CSDESK_SMTP_URL") or None,
            "mail_dir": os.environ.get("CSDESK_MAIL_DIR") or "./var/mail",
            "payment_webhook_url": os.environ.get("CSDESK_PAYMENT_WEBHOOK_URL") or None,
            "warehouse_webhook_url": os.environ.get("CSDESK_WAREHOUSE_WEBHOOK_URL") or None,
            "webhook_secret": os.environ.get("CSDESK_WEBHOOK_SECRET") or "csdesk-dev-secret",
            "outbox_max_attempts": int(_float("CSDESK_OUTBOX_MAX_ATTEMPTS", 8)),
            "payment_simulator": _bool("CSDESK_PAYMENT_SIMULATOR", False),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
