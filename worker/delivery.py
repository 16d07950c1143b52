"""What a channel reports of one delivery: a receipt when the receiver took the message,
``DeliveryFailed`` when it did not (the message is retried)."""

from __future__ import annotations

from dataclasses import dataclass


class DeliveryFailed(Exception):
    """The receiver did not take the message; it will be retried."""


@dataclass(frozen=True)
class Receipt:
    """Where a message went, and for an email to whom and with which subject (the history
    records both)."""

    target: str  # the URL, SMTP server, file or simulator that took it
    recipient: str | None = None
    subject: str | None = None
