"""Customer emails rendered from templates in the order's language (English, German and
French; other languages fall back to English), sent over SMTP or written to a mail folder."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from core.config import Settings
from models import Line, Order
from worker.delivery import DeliveryFailed
from worker.webhooks import DELIVERY_HEADER

TEMPLATES = Path(__file__).parents[1] / "csdesk" / "templates" / "email"
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


SENDER = "csdesk customer service <customer-service@csdesk.example>"


def _write_mail(folder: Path, delivery_id: int, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{delivery_id:08d}.eml"
    path.write_bytes(data)
    return path


def mime(email: Email, delivery_id: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = email.recipient
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"csdesk-{delivery_id}")
    msg[DELIVERY_HEADER] = str(delivery_id)
    msg["Content-Language"] = email.language
    msg.set_content(email.body)
    return msg


async def send_email(settings: Settings, email: Email, delivery_id: int) -> str:
    """Over SMTP when CSDESK_SMTP_URL is set (smtp://host:port, smtps://…), else to a file;
    returns where it went."""
    msg = mime(email, delivery_id)
    if not settings.smtp_url:
        path = await asyncio.to_thread(
            _write_mail, Path(settings.mail_dir), delivery_id, bytes(msg)
        )
        return str(path)
    url = urlsplit(settings.smtp_url)
    options: dict[str, Any] = {
        "hostname": url.hostname or "127.0.0.1",
        "port": url.port or (465 if url.scheme == "smtps" else 25),
        "timeout": 10,
        "use_tls": url.scheme == "smtps",
        "start_tls": False,
    }
    if url.username:
        options["username"] = unquote(url.username)
        options["password"] = unquote(url.password or "")
    if url.scheme == "smtps":
        options["tls_context"] = ssl.create_default_context()
    try:
        await aiosmtplib.send(msg, **options)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"SMTP {url.hostname}:{options['port']}: {exc}") from exc
    return f"smtp://{options['hostname']}:{options['port']}"
