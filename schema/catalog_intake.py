"""``catalogUpsert`` and ``stockLevelsSet``: a storefront or ERP keeps csdesk's stores,
sources, styles, SKUs and stock current (INTEGRATION). The records are those of
``csdesk import catalog|stock`` (docs/catalog-format.md), checked by the same code; an event
is all or nothing, and idempotent on its ``eventId``."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from resolvers.idempotency import handle_event
from resolvers.intake.events import catalog_event, stock_event
from resolvers.intake.reader import Path, Record
from schema.context import Info
from schema.errors import EventIdReused, IntakeRejected, ValidationFailed

EVENT_ID = "Unique per event; sending an event again changes nothing."


@strawberry.input(description="A store: created, or updated to these values, by code.")
class CatalogStoreInput:
    code: str
    name: str
    currency: str = strawberry.field(description="ISO 4217, e.g. GBP; fixed once it has orders.")
    language: str = strawberry.field(description="Default language of its orders, e.g. en.")
    vat_country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. GB.")


@strawberry.input(description="A source (warehouse or shop): created or updated by code.")
class CatalogSourceInput:
    code: str
    name: str
    accepts_returns: bool


@strawberry.input(description="A child SKU; optional fields left out are cleared.")
class CatalogSkuInput:
    code: str
    name: str
    size: str | None = None
    colour: str | None = None
    attributes: JSON | None = strawberry.field(
        default=None, description='Other attributes by name, e.g. {"material": "cotton"}.'
    )
    image_url: str | None = None
    list_price: Decimal = strawberry.field(description="Before tax, for reference only.")


@strawberry.input(description="A style (parent SKU) with its SKUs; unlisted SKUs are kept.")
class CatalogStyleInput:
    code: str
    name: str
    skus: list[CatalogSkuInput]


@strawberry.input
class CatalogUpsertInput:
    event_id: str = strawberry.field(description=EVENT_ID)
    stores: list[CatalogStoreInput] = strawberry.field(default_factory=list)
    sources: list[CatalogSourceInput] = strawberry.field(default_factory=list)
    styles: list[CatalogStyleInput] = strawberry.field(
        default_factory=list, description="At most 1,000 stores, sources and styles together."
    )


@strawberry.type(description="How many records an upsert created, updated or left as they were.")
class UpsertCounts:
    created: int
    updated: int
    unchanged: int


@strawberry.type
class CatalogUpsertSuccess:
    stores: UpsertCounts
    sources: UpsertCounts
    styles: UpsertCounts = strawberry.field(
        description="A style counts as updated when any of its SKUs was created or updated."
    )
    skus: UpsertCounts


def _record(kind: str, item: Any) -> Record:
    """A GraphQL input as the file's record: the same names, so the same paths."""
    return {"type": kind, **_camel(item)}


def _camel(item: Any) -> dict[str, Any]:
    """An input's fields by their GraphQL names (``vatCountry``), inputs in lists too."""
    out: dict[str, Any] = {}
    for key, value in vars(item).items():
        head, *rest = key.split("_")
        camel = head + "".join(part.title() for part in rest)
        if isinstance(value, list):
            out[camel] = [_camel(v) for v in value]
        else:
            out[camel] = value
    return out


async def catalog_upsert(
    info: Info, input: CatalogUpsertInput
) -> Annotated[
    CatalogUpsertSuccess | IntakeRejected | EventIdReused | ValidationFailed,
    strawberry.union("CatalogUpsertResult"),
]:
    """Create or update stores, sources, styles and their SKUs, all or nothing."""
    records: list[tuple[Path, Record]] = [
        *((("input", "stores", i), _record("store", s)) for i, s in enumerate(input.stores)),
        *((("input", "sources", i), _record("source", s)) for i, s in enumerate(input.sources)),
        *((("input", "styles", i), _record("style", s)) for i, s in enumerate(input.styles)),
    ]

    async def handle(session: AsyncSession) -> dict[str, Any]:
        counts = await catalog_event(session, records)
        return {kind: asdict(c) for kind, c in counts.items()}

    request = {"records": [record for _, record in records]}
    result = await handle_event(info.context.db, input.event_id, "catalogUpsert", request, handle)
    return CatalogUpsertSuccess(
        stores=UpsertCounts(**result["store"]),
        sources=UpsertCounts(**result["source"]),
        styles=UpsertCounts(**result["style"]),
        skus=UpsertCounts(**result["sku"]),
    )


@strawberry.input(description="The units of one SKU available in one store (absolute).")
class StockLevelInput:
    store: str
    sku: str
    available: int = strawberry.field(description="0 or more; replaces csdesk's count.")


@strawberry.input
class StockLevelsSetInput:
    event_id: str = strawberry.field(description=EVENT_ID)
    levels: list[StockLevelInput] = strawberry.field(description="At most 10,000.")


@strawberry.type
class StockLevelsSetSuccess:
    changed: int = strawberry.field(description="Levels set to a new value (or created).")
    unchanged: int = strawberry.field(description="Levels that already held the value.")


async def stock_levels_set(
    info: Info, input: StockLevelsSetInput
) -> Annotated[
    StockLevelsSetSuccess | IntakeRejected | EventIdReused | ValidationFailed,
    strawberry.union("StockLevelsSetResult"),
]:
    """Set the units available per store and SKU, all or nothing."""
    records: list[tuple[Path, Record]] = [
        (("input", "levels", i), _camel(level)) for i, level in enumerate(input.levels)
    ]

    async def handle(session: AsyncSession) -> dict[str, Any]:
        changed, unchanged = await stock_event(session, records)
        return {"changed": changed, "unchanged": unchanged}

    request = {"levels": [record for _, record in records]}
    result = await handle_event(info.context.db, input.event_id, "stockLevelsSet", request, handle)
    return StockLevelsSetSuccess(changed=result["changed"], unchanged=result["unchanged"])
