"""Schema migrations (Alembic), callable from the command line and from tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would treat '%' in passwords as a reference.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def current_heads() -> tuple[str, ...]:
    """The newest revision(s) of this release."""
    return tuple(_scripts().get_heads())


def known_revisions() -> set[str]:
    """Every revision this release knows."""
    return {script.revision for script in _scripts().walk_revisions()}


def revisions_between(before: tuple[str, ...], after: tuple[str, ...]) -> list[tuple[str, str]]:
    """(revision, description) of each revision past ``before`` up to ``after``, oldest first:
    what an upgrade from ``before`` to ``after`` applied."""
    if set(before) == set(after):
        return []
    scripts = _scripts()
    lower = before or "base"
    found = list(scripts.iterate_revisions(after, lower))
    return [(s.revision, (s.doc or "").strip().splitlines()[0]) for s in reversed(found)]
