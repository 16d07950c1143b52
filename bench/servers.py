"""The benchmarked servers: ``python -m bench.serve csdesk|raw`` each in a process of its own,
on a free port of 127.0.0.1, started and stopped around a measurement."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: str, url: str, log_dir: Path, tag: str) -> Iterator[str]:
    """``python -m bench.serve`` in a process of its own; yields its base URL."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"bench-server-{app}-{tag}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", app, "--database-url", url, "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"bench: the {app} server stopped:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"bench: the {app} server did not start:\n{log.read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
