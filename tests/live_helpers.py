"""Real servers and WebSocket clients for the live-update tests: ``uvicorn csdesk.asgi:app``
on a free port, and one graphql-transport-ws connection."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.conftest import GraphQLClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``uvicorn csdesk.asgi:app`` on a free port, on the test's database."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "csdesk.asgi:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            env={**os.environ, "CSDESK_DATABASE_URL": url, **env},
        )  # fmt: skip

    async def ready(self) -> None:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient(base_url=self.base) as http:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, "the server exited"
                try:
                    if (await http.get("/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    async def login(self, username: str) -> tuple[GraphQLClient, httpx.AsyncClient]:
        http = httpx.AsyncClient(base_url=self.base)
        gql = GraphQLClient(http)
        await gql.login(username)
        return gql, http


class Live:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = 0

    @classmethod
    async def open(
        cls, server: Server, token: str | None = None, headers: dict[str, str] | None = None
    ) -> Live:
        ws = await connect(
            server.ws_url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            additional_headers=headers or {},
        )
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        return cls(ws)

    async def acked(self) -> bool:
        try:
            return json.loads(await asyncio.wait_for(self.ws.recv(), 5))["type"] == "connection_ack"
        except ConnectionClosed:
            return False

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self.ids += 1
        sid = str(self.ids)
        message = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": sid, "type": "subscribe", "payload": message}))
        await asyncio.sleep(0.5)  # let the server start listening
        return sid

    async def receive(self, within: float = 1.0) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), within))
        return message

    async def nothing_for(self, seconds: float) -> None:
        with pytest.raises(TimeoutError):
            got = await self.receive(seconds)
            raise AssertionError(f"unexpected: {got}")

    async def close_code(self, within: float = 5.0) -> int | None:
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), within)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        await self.ws.close()
