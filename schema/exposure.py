"""How much of the schema a request may learn, and which documents may run.

- **Production** (``CSDESK_ENV=production``): introspection (``__schema``, ``__type``) is refused
  by validation and error messages lose graphql-core's "Did you mean …?" suggestions, unless
  ``CSDESK_INTROSPECTION=true`` or the viewer's role holds SCHEMA_INTROSPECT (administrators
  do). ``__typename`` is always allowed.
- **Trusted documents** (``CSDESK_TRUSTED_DOCUMENTS=true``): only the contract's operations run
  (``frontend-contract/trusted-documents.json``, written by ``make schema``). A client sends an
  operation's text (compared after parsing and printing, so spacing and comments do not matter)
  or only its hash, as ``extensions.persistedQuery.sha256Hash`` (Apollo's format) or as
  ``documentId: "sha256:<hash>"`` in ``extensions``. Anything else is refused before validation
  with ``extensions.code = "UNTRUSTED_DOCUMENT"``, telling nothing about the schema.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLError, ValidationRule, parse, print_ast
from graphql.error import GraphQLSyntaxError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from core.config import Settings
from models.enums import Permission

CONTRACT = Path(__file__).resolve().parents[1] / "frontend-contract"
MANIFEST = CONTRACT / "trusted-documents.json"
UNTRUSTED = "UNTRUSTED_DOCUMENT"
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
# Run in place of an unknown hash so that the refusal comes from validation like any other.
_PLACEHOLDER = "{ __typename }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised(text: str) -> str:
    """A document as graphql-core prints it: no comments, canonical spacing."""
    return print_ast(parse(text, no_location=True))


def manifest_of(operations: Mapping[str, str]) -> dict[str, Any]:
    """The manifest for ``{name: document text}``: each document by the SHA-256 of its text."""
    documents = {
        sha256(text): {"name": name, "document": text} for name, text in sorted(operations.items())
    }
    return {"algorithm": "sha256", "documents": dict(sorted(documents.items()))}


def contract_operations(directory: Path = CONTRACT / "operations") -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.graphql"))}


def manifest_text(directory: Path = CONTRACT / "operations") -> str:
    return json.dumps(manifest_of(contract_operations(directory)), indent=2) + "\n"


@dataclass(frozen=True)
class TrustedDocuments:
    by_hash: Mapping[str, str]
    normalised_hashes: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> TrustedDocuments:
        data = json.loads(path.read_text(encoding="utf-8"))
        by_hash = {h: str(entry["document"]) for h, entry in data["documents"].items()}
        return cls(by_hash, frozenset(sha256(normalised(t)) for t in by_hash.values()))

    def trusts(self, text: str) -> bool:
        if sha256(text) in self.by_hash:
            return True
        try:
            return sha256(normalised(text)) in self.normalised_hashes
        except GraphQLSyntaxError:
            return False


@functools.cache
def trusted_documents(path: str) -> TrustedDocuments:
    return TrustedDocuments.load(Path(path))


def _requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    if not extensions:
        return None
    persisted = extensions.get("persistedQuery")
    if isinstance(persisted, Mapping) and isinstance(persisted.get("sha256Hash"), str):
        return str(persisted["sha256Hash"]).lower()
    document_id = extensions.get("documentId")
    if isinstance(document_id, str):
        return document_id.removeprefix("sha256:").lower()
    return None


class _Untrusted(ValidationRule):
    def enter_document(self, *args: Any) -> None:
        self.report_error(
            GraphQLError(
                "Only the application's own operations may run on this server (trusted "
                "documents): send one of them, by its text or its SHA-256 hash.",
                extensions={"code": UNTRUSTED},
            )
        )


def _without_suggestions(error: GraphQLError) -> GraphQLError:
    """A copy without "Did you mean …?" (validation errors may be cached: never edit them)."""
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class SchemaExposure(SchemaExtension):
    """Applies the module docstring's rules to each operation."""

    hide_schema = False

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        if isinstance(settings, Settings):
            viewer = getattr(context.context, "viewer", None)
            self.hide_schema = not (
                settings.development
                or settings.introspection
                or (viewer is not None and viewer.has(Permission.SCHEMA_INTROSPECT))
            )
            if settings.trusted_documents and not self._trusted(settings):
                # Not even parsed: a syntax error would tell what the parser expected.
                context.query = _PLACEHOLDER
                context.validation_rules = (_Untrusted,)
            elif self.hide_schema:
                context.validation_rules = (
                    *context.validation_rules,
                    NoSchemaIntrospectionCustomRule,
                )
        yield
        if self.hide_schema:
            result = context.result
            if result is not None and result.errors:
                result.errors = [_without_suggestions(e) for e in result.errors]

    def on_validate(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors
        if self.hide_schema and errors:
            self.execution_context.pre_execution_errors = [_without_suggestions(e) for e in errors]

    def _trusted(self, settings: Settings) -> bool:
        context = self.execution_context
        documents = trusted_documents(settings.trusted_documents_file or str(MANIFEST))
        wanted = _requested_hash(context.operation_extensions)
        if wanted is not None and not context.query:
            text = documents.by_hash.get(wanted)
            if text is None:
                return False
            context.query = text
            return True
        return bool(context.query) and documents.trusts(str(context.query))
