"""Relay global ids, one codec for every type: ``base64("<Type>:<row id>")``.

One rule, for every input that takes an id: an id that is malformed, of another type, or
out of the id columns' range is answered exactly like the id of an object that does not
exist (``NotFound`` in a mutation, ``null`` from ``node``/``order``). Domain functions take
and return plain integer ids; only this module knows the encoding.
"""

from __future__ import annotations

import strawberry
from strawberry import relay

from models.base import MAX_ID
from resolvers.errors import NotFound


def db_id(text: str | None) -> int | None:
    """The row id ``text`` spells (digits within the id columns' range), else None."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def encode(type_name: str, row_id: int) -> strawberry.ID:
    """The global id of row ``row_id`` of ``type_name``."""
    return strawberry.ID(relay.to_base64(type_name, row_id))


def parse(value: str) -> tuple[str, int] | None:
    """(type name, row id) of a global id, or None when it is not a usable one."""
    try:
        gid = relay.GlobalID.from_id(value)
    except Exception:  # malformed base64, no colon, not text: not an id at all
        return None
    row_id = db_id(gid.node_id)
    return None if row_id is None else (gid.type_name, row_id)


def decode(value: str, type_name: str, field: list[str]) -> int:
    """The row id inside a global id of ``type_name``; NotFound otherwise."""
    parsed = parse(value)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"No {type_name} has the id {value!r}.", field=field)
    return parsed[1]


def decode_optional(value: str | None, type_name: str, field: list[str]) -> int | None:
    return None if value is None else decode(value, type_name, field)


def decode_each(values: list[strawberry.ID], type_name: str, field: list[str]) -> list[int]:
    """Row ids of a list of global ids; NotFound names the entry at fault (field + index)."""
    return [decode(v, type_name, [*field, str(i)]) for i, v in enumerate(values)]
