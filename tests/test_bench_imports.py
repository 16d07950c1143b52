"""``python -m bench.imports`` runs the three imports end to end (tiny and without a target
here: the figures are the benchmark's business, not a test's)."""

from __future__ import annotations

import pytest

from bench import imports


def test_the_import_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--orders", "40", "--styles", "5", "--postgres-url", "", "--target", "0"]
    assert imports.main(argv) == 0
    out = capsys.readouterr().out
    for kind, records in (("catalog", 14), ("stock", 80), ("orders", 40)):
        assert any(
            line.split()[:3] == ["sqlite", kind, str(records)] and line.endswith("ok")
            for line in out.splitlines()
        ), out
