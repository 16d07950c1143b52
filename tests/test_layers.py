"""The parts of csdesk and the arrows allowed between them (docs/architecture.md): every
import of every module, read from the source, against the table below."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]

# Part → the parts it may import (itself always). Lowest first.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "models": {"core"},
    "auth": {"core", "models"},
    "resolvers": {"core", "models", "auth"},
    "worker": {"core", "models", "auth", "resolvers"},
    "schema": {"core", "models", "auth", "resolvers", "worker"},
    "csdesk": {"core", "models", "auth", "resolvers", "worker", "schema"},
}
# GraphQL libraries: only the GraphQL edge (schema, csdesk's app) and the one module of auth
# that declares the @requiresPermission directive may import them.
GRAPHQL = {"strawberry", "graphql"}
GRAPHQL_ALLOWED = {"schema", "csdesk", "auth.permissions"}
# Modules that are the GraphQL edge even though they live below it.
EDGE_MODULES = {"auth.permissions"}


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(root: Path, path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    module = _module_name(root, path)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = module.split(".")[: -node.level or None]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from schema import ids` names a module too.
            found.extend((node.lineno, f"{name}.{alias.name}") for alias in node.names)
    return found


def _violations(root: Path) -> list[str]:
    problems = []
    for part, allowed in ALLOWED.items():
        for path in sorted((root / part).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(root, path)
            for line, name in _imports(root, path):
                top = name.split(".")[0]
                where = f"{path.relative_to(root)}:{line} imports {name}"
                if top in GRAPHQL and not any(
                    module == m or module.startswith(m + ".") for m in GRAPHQL_ALLOWED
                ):
                    problems.append(f"{where}: {part} must not import GraphQL libraries")
                if top in ALLOWED and top != part and top not in allowed:
                    problems.append(f"{where}: {part} may not import {top}")
                if name in EDGE_MODULES and part not in {"schema", "csdesk"} and module != name:
                    problems.append(f"{where}: only the GraphQL edge uses {name}")
    return problems


def test_no_import_crosses_a_forbidden_arrow() -> None:
    assert _violations(ROOT) == []


def test_the_rule_catches_arrows_back_up(tmp_path: Path) -> None:
    """The checker itself, on a made-up tree: each kind of wrong import is reported."""
    (tmp_path / "resolvers").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "resolvers" / "probe.py").write_text(
        "from schema.ids import encode\nimport strawberry\nfrom auth.permissions import requires\n"
    )
    (tmp_path / "models" / "probe.py").write_text("from resolvers import errors\n")
    found = _violations(tmp_path)
    assert any("probe.py:1 imports schema.ids: resolvers may not import schema" in p for p in found)
    assert any("probe.py:2 imports strawberry: resolvers must not import" in p for p in found)
    assert any("probe.py:3 imports auth.permissions: only the GraphQL edge" in p for p in found)
    assert any("models/probe.py:1 imports resolvers: models may not" in p for p in found)


# Where the GraphQL layer may open sessions of its own: Context.read itself, and
# subscriptions (a long-lived WebSocket operation reads per event and holds no session).
OWN_SESSIONS = {"schema/subscription.py", "schema/context.py"}


def _own_sessions(root: Path) -> list[str]:
    """Calls of ``<something>.db.read()`` or ``db.read()`` in the GraphQL layer."""
    found = []
    for path in sorted((root / "schema").rglob("*.py")):
        if str(path.relative_to(root)) in OWN_SESSIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "read"
                and (
                    (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "db")
                    or (isinstance(node.func.value, ast.Name) and node.func.value.id == "db")
                )
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_resolvers_read_through_the_request() -> None:
    """A query holds one read session from its sign-in to its end (resolvers/loaders/
    reads.py); a resolver that opened another while it held that one could, with every
    pooled connection held so, wait for ever. Resolvers read through ``Context.read``."""
    assert _own_sessions(ROOT) == []


def test_the_read_rule_catches_a_session_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "x.py").write_text(
        "async def f(info, db):\n"
        "    async with info.context.db.read() as s:\n        pass\n"
        "    async with db.read() as s:\n        pass\n"
        "    async with info.context.read() as s:\n        pass\n"
    )
    assert _own_sessions(tmp_path) == ["schema/x.py:2", "schema/x.py:4"]
