"""What production mode refuses to start with: the development webhook secret, and users who
still sign in with their demo password."""

from __future__ import annotations

from sqlalchemy import select

from auth.passwords import check_password
from core.config import DEVELOPMENT_WEBHOOK_SECRET, ConfigError, Settings
from core.db import Database
from csdesk.seed_data import USERS
from models import User


async def problems(settings: Settings, db: Database) -> list[str]:
    """Why ``settings`` and the users of ``db`` are unfit for production (empty when fit)."""
    found = []
    if settings.webhook_secret == DEVELOPMENT_WEBHOOK_SECRET:
        found.append("CSDESK_WEBHOOK_SECRET is the development default; set a secret of your own")
    demo = {username: password for username, *_, password in USERS if password is not None}
    async with db.read() as session:
        rows = list(
            await session.execute(
                select(User.username, User.password_hash).where(
                    User.username.in_(demo), User.active.is_(True)
                )
            )
        )
    still = [
        username
        for username, password_hash in rows
        if await check_password(password_hash, demo[username])
    ]
    if still:
        found.append(
            f"users still have their demo password: {', '.join(sorted(still))} (change it in "
            "the admin UI or with the userUpdate mutation, or deactivate them)"
        )
    return found


async def refuse_unfit(settings: Settings, db: Database) -> None:
    """Raise ConfigError, one line, when production mode would start with a known secret."""
    if settings.development:
        return
    found = await problems(settings, db)
    if found:
        raise ConfigError("production mode refuses to start: " + "; ".join(found))
