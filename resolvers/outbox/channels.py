"""Where messages go: customer emails over SMTP (or into a mail folder), and signed JSON
webhooks to the payment system and the warehouse (or into a spool folder when no receiver is
configured)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import httpx

from core.config import Settings
from models import OutboxMessage
from resolvers.outbox.emails import Email

SIGNATURE_HEADER = "X-Csdesk-Signature"
DELIVERY_HEADER = "X-Csdesk-Delivery"
TOPIC_HEADER = "X-Csdesk-Topic"
SENDER = "csdesk customer service <customer-service@csdesk.example>"


class DeliveryFailed(Exception):
    """The receiver did not take the message; it will be retried."""


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(message: OutboxMessage) -> bytes:
    return json.dumps(
        {
            "deliveryId": str(message.id),
            "topic": message.topic,
            "createdAt": message.created_at.isoformat(),
            "payload": message.payload,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


async def post_webhook(
    client: httpx.AsyncClient, url: str, secret: str, message: OutboxMessage
) -> None:
    body = webhook_body(message)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body),
        DELIVERY_HEADER: str(message.id),
        TOPIC_HEADER: message.topic,
    }
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"{url} answered {response.status_code}")


def spool(directory: str, message: OutboxMessage) -> Path:
    """Write the message as a JSON file: the receiver for destinations not configured."""
    folder = Path(directory) / message.destination.lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.id:08d}-{message.topic}.json"
    path.write_bytes(webhook_body(message))
    return path


def _write_mail(folder: Path, delivery_id: int, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{delivery_id:08d}.eml").write_bytes(data)


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


async def send_email(settings: Settings, email: Email, delivery_id: int) -> None:
    """Over SMTP when CSDESK_SMTP_URL is set (smtp://host:port, smtps://…), else to a file."""
    msg = mime(email, delivery_id)
    if not settings.smtp_url:
        await asyncio.to_thread(_write_mail, Path(settings.mail_dir), delivery_id, bytes(msg))
        return
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
