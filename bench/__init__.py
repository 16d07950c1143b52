"""Benchmarks: they print figures; speed targets live here, not in timed unit tests."""
