"""Intake: what csdesk takes in from the shop's other systems, from files (``csdesk import``)
and integration mutations alike. The formats are documented in ``docs/import-format.md``.

- ``reader``: JSON records and typed field readers, without the database;
- ``order_record``: an order record into a typed draft (pure);
- ``orders``: drafts against the database: resolution, de-duplication, numbering, inserts.
"""

from __future__ import annotations

from resolvers.intake.orders import IntakeResult, Outcome, import_order
from resolvers.intake.reader import parse_record

__all__ = ["IntakeResult", "Outcome", "import_order", "parse_record"]
