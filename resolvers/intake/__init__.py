"""Intake: what csdesk takes in from the shop's other systems, from files (``csdesk import``)
and integration mutations alike. The formats: ``docs/import-format.md`` (orders) and
``docs/catalog-format.md`` (catalog and stock).

Reading a record never needs the database; taking it in does:

- ``reader``: JSON records and typed field readers that collect every problem;
- ``order_record``, ``catalog_record``: records into typed drafts (orders; stores, sources,
  styles with their SKUs; stock levels);
- ``orders`` (with ``writes``), ``catalog``, ``stock``: a chunk of drafts against the
  database, one result per draft: resolution, de-duplication, numbering, bulk writes.
"""

from __future__ import annotations

from resolvers.intake.orders import IntakeResult, Outcome, import_order, import_orders
from resolvers.intake.reader import parse_record

__all__ = ["IntakeResult", "Outcome", "import_order", "import_orders", "parse_record"]
