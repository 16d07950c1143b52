"""Customer emails rendered from templates in the order's language (English, German and
French; other languages fall back to English)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from models import Line, Order

TEMPLATES = Path(__file__).parents[2] / "csdesk" / "templates" / "email"
LANGUAGES = ("en", "de", "fr")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # plain-text mail
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class NoTemplate(LookupError):
    """No email template exists for a topic."""


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    body: str
    language: str


def _language(order: Order, payload: dict[str, Any]) -> str:
    wanted = str(payload.get("language") or order.language or "en").lower()[:2]
    return wanted if wanted in LANGUAGES else "en"


def _money(value: Any, currency: str) -> str | None:
    if not value:
        return None
    if isinstance(value, dict):
        amount = value.get("gross") or value.get("amount") or value.get("net")
        currency = str(value.get("currency") or currency)
        return f"{amount} {currency}" if amount else None
    return f"{value} {currency}"


def render(
    topic: str, order: Order, lines: list[Line], payload: dict[str, Any], store_name: str
) -> Email:
    """The email of ``topic`` about ``order``; ``lines`` are used when the payload lists none."""
    language = _language(order, payload)
    try:
        template = _env.get_template(f"{language}/{topic}.txt")
    except TemplateNotFound:
        raise NoTemplate(f"no email template for topic {topic!r}") from None
    listed = payload.get("lines") or [
        {"number": line.number, "sku": line.sku_code, "productName": line.product_name}
        for line in lines
    ]
    derived = topic in {"exchange_created", "reshipment_created"}
    context = {
        "number": payload.get("originOrder") if derived else order.number,
        "new_number": order.number,
        "customer_name": order.customer_name,
        "lines": [
            {"sku": line.get("sku"), "productName": line.get("productName")} for line in listed
        ],
        "whole": bool(payload.get("wholeOrder", True)),
        "refund": _money(payload.get("refund") or payload.get("gross"), order.currency),
        "store_name": store_name,
        "reason": payload.get("reasonLabel"),
    }
    text = template.render(**context)
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: "):
        raise NoTemplate(f"template {language}/{topic}.txt has no Subject line")
    return Email(
        recipient=str(payload.get("to") or order.customer_email),
        subject=head.removeprefix("Subject: ").strip(),
        body=body.strip() + "\n",
        language=language,
    )
