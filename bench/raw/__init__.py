"""The raw baseline: the same answers as csdesk from hand-written SQL, the drivers and orjson."""
