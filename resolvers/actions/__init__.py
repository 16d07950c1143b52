"""Customer-service actions on orders, one module each, sharing ``common``: every action runs
in one write transaction that locks the order, checks and applies its rules, and appends
history entries and outbox messages, so that all of it lands or none of it does."""
