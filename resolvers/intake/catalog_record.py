"""Catalog and stock records read into typed drafts, without the database.

A catalog record is a store, a source or a style with its SKUs (``"type"`` says which); a
stock record is the absolute number of units of one SKU available in one store. The
formats are documented in docs/catalog-format.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from resolvers.errors import Problem
from resolvers.intake.reader import COUNTRY, CURRENCY, LANGUAGE, Path, Pattern, Reader, Record

MAX_SKUS_PER_STYLE = 200
MAX_ATTRIBUTES = 20
MAX_AVAILABLE = 1_000_000_000
LIST_PRICE_DECIMALS = 4  # the precision of money columns

_CODE = "letters, digits and - _ . (no spaces)"
STORE_CODE: Pattern = (re.compile(r"[A-Za-z0-9_.-]+"), f"a store code: {_CODE}")
SOURCE_CODE: Pattern = (re.compile(r"[A-Za-z0-9_.-]+"), f"a source code: {_CODE}")
STYLE_CODE: Pattern = (re.compile(r"[A-Za-z0-9_.-]+"), f"a style code: {_CODE}")
SKU_CODE: Pattern = (re.compile(r"[A-Za-z0-9_.-]+"), f"a SKU code: {_CODE}")
IMAGE_URL: Pattern = (re.compile(r"https?://[^\s]+"), "an http(s) URL")

KINDS = ("store", "source", "style")
STORE_FIELDS = frozenset({"type", "code", "name", "currency", "language", "vatCountry"})
SOURCE_FIELDS = frozenset({"type", "code", "name", "acceptsReturns"})
STYLE_FIELDS = frozenset({"type", "code", "name", "skus"})
SKU_FIELDS = frozenset({"code", "name", "size", "colour", "attributes", "imageUrl", "listPrice"})
STOCK_FIELDS = frozenset({"store", "sku", "available"})


@dataclass(frozen=True)
class StoreDraft:
    code: str
    name: str
    currency: str
    language: str
    vat_country: str


@dataclass(frozen=True)
class SourceDraft:
    code: str
    name: str
    accepts_returns: bool


@dataclass(frozen=True)
class SkuDraft:
    path: Path
    code: str
    name: str
    attributes: dict[str, str]
    image_url: str | None
    list_price: Decimal


@dataclass(frozen=True)
class StyleDraft:
    code: str
    name: str
    skus: tuple[SkuDraft, ...]


@dataclass
class CatalogDraft:
    """One catalog record: its kind and code (when readable), the draft when the record is
    valid, and every problem found."""

    kind: str | None = None
    code: str | None = None
    item: StoreDraft | SourceDraft | StyleDraft | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class StockDraft:
    store: str | None = None
    sku: str | None = None
    available: int | None = None
    problems: list[Problem] = field(default_factory=list)


def read_catalog(record: Record) -> CatalogDraft:
    """The draft of one catalog record; its ``problems`` say what is wrong with it."""
    r = _CatalogReader()
    draft = CatalogDraft(problems=r.problems)
    kind = r.text(record, (), "type", 16)
    if kind is not None and kind not in KINDS:
        r.add(("type",), f'"{kind[:60]}" is not store, source or style')
        kind = None
    draft.kind = kind
    if kind == "store":
        r.known(record, (), STORE_FIELDS)
        draft.code = r.text(record, (), "code", 16, pattern=STORE_CODE)
        store = StoreDraft(
            code=draft.code or "",
            name=r.text(record, (), "name", 120) or "",
            currency=r.text(record, (), "currency", 3, pattern=CURRENCY) or "",
            language=r.text(record, (), "language", 8, pattern=LANGUAGE) or "",
            vat_country=(r.text(record, (), "vatCountry", 2, pattern=COUNTRY) or "").upper(),
        )
        draft.item = None if r.problems else store
    elif kind == "source":
        r.known(record, (), SOURCE_FIELDS)
        draft.code = r.text(record, (), "code", 32, pattern=SOURCE_CODE)
        source = SourceDraft(
            code=draft.code or "",
            name=r.text(record, (), "name", 120) or "",
            accepts_returns=bool(r.flag(record, (), "acceptsReturns")),
        )
        draft.item = None if r.problems else source
    elif kind == "style":
        r.known(record, (), STYLE_FIELDS)
        draft.code = r.text(record, (), "code", 32, pattern=STYLE_CODE)
        style = StyleDraft(
            code=draft.code or "",
            name=r.text(record, (), "name", 200) or "",
            skus=tuple(r.skus(record)),
        )
        draft.item = None if r.problems else style
    return draft


def read_stock(record: Record) -> StockDraft:
    """The draft of one stock record: store code, SKU code and units available (≥ 0)."""
    r = Reader()
    r.known(record, (), STOCK_FIELDS)
    return StockDraft(
        store=r.text(record, (), "store", 16),
        sku=r.text(record, (), "sku", 48),
        available=r.whole(record, (), "available", 0, MAX_AVAILABLE),
        problems=r.problems,
    )


class _CatalogReader(Reader):
    def skus(self, record: Record) -> list[SkuDraft]:
        skus = record.get("skus")
        if skus is None:
            self.add(("skus",), "missing", "MISSING")
            return []
        if not isinstance(skus, list) or not skus:
            self.add(("skus",), "expected a non-empty array of SKUs")
            return []
        if len(skus) > MAX_SKUS_PER_STYLE:
            self.add(("skus",), f"{len(skus)} SKUs; at most {MAX_SKUS_PER_STYLE} per style")
            return []
        out: list[SkuDraft] = []
        seen: dict[str, int] = {}
        for i, sku in enumerate(skus):
            path: Path = ("skus", i)
            if not isinstance(sku, dict):
                self.add(path, "expected an object")
                continue
            before = len(self.problems)
            self.known(sku, path, SKU_FIELDS)
            code = self.text(sku, path, "code", 48, pattern=SKU_CODE)
            if code is not None and code in seen:
                self.add((*path, "code"), f'"{code}" is also skus[{seen[code]}]', "DUPLICATE")
            elif code is not None:
                seen[code] = i
            name = self.text(sku, path, "name", 200)
            attributes = self.attributes(sku, path)
            image_url = self.text(sku, path, "imageUrl", 500, required=False, pattern=IMAGE_URL)
            price = self.list_price(sku, path)
            if len(self.problems) == before:
                assert code is not None and name is not None and price is not None
                out.append(SkuDraft(path, code, name, attributes, image_url, price))
        return out

    def attributes(self, sku: Record, path: Path) -> dict[str, str]:
        """``size`` and ``colour``, then the other ``attributes`` (text by name)."""
        out: dict[str, str] = {}
        for key in ("size", "colour"):
            value = self.text(sku, path, key, 40, required=False)
            if value is not None:
                out[key] = value
        extra: Any = sku.get("attributes")
        if extra is None:
            return out
        where = (*path, "attributes")
        if not isinstance(extra, dict):
            self.add(where, 'expected an object such as {"material": "cotton"}')
            return out
        if len(extra) > MAX_ATTRIBUTES:
            self.add(where, f"{len(extra)} attributes; at most {MAX_ATTRIBUTES}")
            return out
        for name in extra:
            if not isinstance(name, str) or not name.strip() or len(name) > 40:
                self.add(where, f"{name!r} is not an attribute name (1–40 characters)")
            elif name in ("size", "colour"):
                self.add((*where, name), f'give "{name}" as the SKU\'s own field')
            else:
                value = self.text(extra, where, name, 100)
                if value is not None:
                    out[name.strip()] = value
        return out

    def list_price(self, sku: Record, path: Path) -> Decimal | None:
        price = self.amount(sku, path, "listPrice")
        if price is None:
            return None
        exponent = price.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -LIST_PRICE_DECIMALS:
            self.add((*path, "listPrice"), f"{price} has more than {LIST_PRICE_DECIMALS} decimals")
            return None
        return price
