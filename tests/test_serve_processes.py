"""``csdesk serve --workers 2`` as deployed: whichever worker answers a scrape, /metrics counts
the requests of both (prometheus-client's multiprocess mode), and standard error carries one
JSON line per request, with no uvicorn access line beside it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from csdesk.migrate import upgrade

REQUESTS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def anonymous_ok(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "csdesk_graphql_requests_total" and sample.labels == {
                "operation": "anonymous",
                "type": "query",
                "outcome": "ok",
            }:
                return float(sample.value)
    return 0.0


def test_two_workers_share_their_metrics_and_log_json(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'csdesk.db'}"
    upgrade(url)
    port = free_port()
    env = {
        **os.environ,
        "CSDESK_DATABASE_URL": url,
        "CSDESK_ENV": "production",
        # Production refuses to start on the development webhook secret.
        "CSDESK_WEBHOOK_SECRET": "a-secret-of-our-own",
        "CSDESK_LOG_LEVEL": "INFO",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("CSDESK_LOG_FORMAT", None)
    command = [sys.executable, "-m", "csdesk", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "csdesk serve did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as http:
            for n in range(REQUESTS):
                response = http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"X-Request-Id": f"req-{n}", "Connection": "close"},
                )
                assert response.status_code == 200
            for _ in range(6):  # new connections: the kernel spreads them over the workers
                scraped = httpx.get(f"{base}/metrics", headers={"Connection": "close"})
                assert anonymous_ok(scraped.text) == REQUESTS
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    served = [e for e in lines if e["logger"] == "csdesk.request" and e["path"] == "/graphql"]
    assert sorted(e["request_id"] for e in served) == sorted(f"req-{n}" for n in range(REQUESTS))
    assert all(e["status"] == 200 and e["outcome"] == "ok" for e in served)
    assert not [line for line in err.splitlines() if 'HTTP/1.1"' in line]  # no access log
    started = [e for e in lines if e["logger"] == "uvicorn.error"]
    assert started, err  # uvicorn's own lines are JSON too
