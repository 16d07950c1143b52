"""The error boundary: every domain error has exactly one GraphQL type, and every mutation's
result union lists every domain error its resolver can raise.

What a resolver can raise is read from the source: the domain errors each function of
``resolvers``, ``auth`` and ``schema`` constructs, and the project functions it calls
(transitively). That over-approximates (an error built on one branch counts for the whole
function), which is the safe direction: a union may list an error that cannot happen in
practice, but never miss one that can.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLUnionType
from strawberry.types.base import StrawberryObjectDefinition

from resolvers import errors
from schema import build_schema
from schema.errors import ERRORS, UserError, exception_handlers

ROOT = Path(__file__).parents[1]
PACKAGES = ("core", "auth", "resolvers", "schema")
# Errors the reader finds on a path that cannot be taken, each with the reason.
CANNOT_HAPPEN = {
    # approve_return runs without an expectedVersion, so its order lock never conflicts.
    ("warehouse_return_received", "VersionConflict"),
}


def _domain_errors() -> dict[str, type[errors.DomainError]]:
    found: dict[str, type[errors.DomainError]] = {}
    pending: list[type[errors.DomainError]] = [errors.DomainError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found[f"{sub.__module__}.{sub.__name__}"] = sub
            pending.append(sub)
    return found


def test_every_domain_error_has_one_graphql_type() -> None:
    domain = set(_domain_errors().values())
    mapped = [m.domain for m in ERRORS]
    assert len(mapped) == len(set(mapped)), "a domain error is mapped twice"
    assert set(mapped) == domain
    graphql = {m.graphql for m in ERRORS}
    declared = {t for t in _subclasses(UserError)}
    assert graphql == declared, "every UserError type is the image of one domain error"


def test_derived_errors_are_handled_before_their_bases() -> None:
    order = [h.exception_type for h in exception_handlers()]
    for i, exc in enumerate(order):
        for later in order[i + 1 :]:
            assert not issubclass(later, exc) or later is exc, (exc, later)


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        out.add(sub)
        out |= _subclasses(sub)
    return out


# --- what each function can raise, from the source ----------------------------------------------


class _Index:
    """Functions of the project by qualified name, with the domain errors each constructs and
    the project functions each calls."""

    def __init__(self) -> None:
        self.builds: dict[str, set[str]] = defaultdict(set)
        self.calls: dict[str, set[str]] = defaultdict(set)
        self.functions: set[str] = set()
        for package in PACKAGES:
            for path in sorted((ROOT / package).rglob("*.py")):
                self._read(path)

    def _read(self, path: Path) -> None:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(parts)
        tree = ast.parse(path.read_text())
        names: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names[node.name] = f"{module}.{node.name}"
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(f"{module}.{node.name}", node, names)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        qual = f"{module}.{node.name}.{item.name}"
                        local = {**names, "self": f"{module}.{node.name}"}
                        local["cls"] = local["self"]
                        self._function(qual, item, local)

    def _function(
        self, qual: str, node: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str]
    ) -> None:
        self.functions.add(qual)
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Call):
                continue
            target = _resolve(inner.func, names)
            if target is None:
                continue
            self.calls[qual].add(target)
            # Functions passed as arguments are called by the callee (e.g. run_action).
            for arg in [*inner.args, *(k.value for k in inner.keywords)]:
                passed = _resolve(arg, names)
                if passed is not None:
                    self.calls[qual].add(passed)

    def raises(self, qual: str, domain: dict[str, type[errors.DomainError]]) -> set[str]:
        seen: set[str] = set()
        pending = [qual]
        found: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for called in self.calls.get(name, ()):
                base = called.rsplit(".", 1)[0]
                if called in domain:
                    found.add(called)
                elif base in domain:  # e.g. IntakeRejected.of(...)
                    found.add(base)
                elif called in self.functions:
                    pending.append(called)
        return found


def _resolve(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, names)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _union_members(field_type: object) -> set[str]:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    if isinstance(field_type, GraphQLUnionType):
        return {t.name for t in field_type.types}
    return set()  # a plain result (logout): it may raise no domain error at all


def test_every_mutation_union_lists_what_its_resolver_can_raise() -> None:
    schema = build_schema()
    domain = _domain_errors()
    graphql_name = {
        f"{m.domain.__module__}.{m.domain.__name__}": m.graphql.__name__ for m in ERRORS
    }
    index = _Index()
    mutation = schema.get_type_by_name("Mutation")
    assert mutation is not None
    graphql_mutation = schema._schema.get_type("Mutation")
    assert isinstance(graphql_mutation, GraphQLObjectType)
    missing: dict[str, set[str]] = {}
    checked = 0
    assert isinstance(mutation, StrawberryObjectDefinition)
    for field in mutation.fields:
        assert field.base_resolver is not None
        resolver = field.base_resolver.wrapped_func
        qual = f"{resolver.__module__}.{resolver.__name__}"
        assert qual in index.functions, qual
        can_raise = {graphql_name[e] for e in index.raises(qual, domain)}
        can_raise -= {e for f, e in CANNOT_HAPPEN if f == field.python_name}
        name = schema.config.name_converter.get_graphql_name(field)
        listed = _union_members(graphql_mutation.fields[name].type)
        if can_raise - listed:
            missing[field.python_name] = can_raise - listed
        checked += 1
    assert checked >= 20
    assert missing == {}


def test_the_reader_finds_errors_through_calls_and_aliases() -> None:
    index = _Index()
    domain = _domain_errors()
    found = index.raises("schema.mutations.appeasement.appeasement_create", domain)
    # Raised by the domain function, by the ledger it calls, by the id codec, by idempotency.
    for name in ("AmountExceedsRefundable", "ReasonUnknown", "NotFound", "IdempotencyKeyReused"):
        assert f"resolvers.errors.{name}" in found, name
    assert "resolvers.errors.RefundNotOpen" not in found
