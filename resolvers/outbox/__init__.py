"""The outbox: messages written with the change they announce, delivered by ``csdesk worker``
at least once, with retries, backoff and a dead-letter state."""
