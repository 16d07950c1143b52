"""Strawberry types, inputs, errors and the schema object; thin: it calls resolvers."""

from schema.schema import build_schema

__all__ = ["build_schema"]
