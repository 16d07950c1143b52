"""Subcommands of ``csdesk``; each module has ``register(subparsers)``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from csdesk.commands import db, imports, purge, schema_export, seed, serve, worker
from csdesk.commands import users as user_commands

Register = Callable[["argparse._SubParsersAction[Any]"], None]

COMMANDS: list[Register] = [
    serve.register,
    db.register,
    schema_export.register,
    seed.register,
    imports.register,
    user_commands.register,
    worker.register,
    purge.register,
]
