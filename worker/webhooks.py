"""Signed JSON webhooks to the payment system and the warehouse, or JSON files in a spool
folder when no receiver is configured."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import httpx

from models import OutboxMessage
from worker.delivery import DeliveryFailed

SIGNATURE_HEADER = "X-Csdesk-Signature"
DELIVERY_HEADER = "X-Csdesk-Delivery"
TOPIC_HEADER = "X-Csdesk-Topic"


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
    folder = Path(directory) / message.destination.value.lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.id:08d}-{message.topic}.json"
    path.write_bytes(webhook_body(message))
    return path
