"""Webhook receivers on loopback for the tests: each verifies every delivery's signature
with the reference `standardwebhooks` library and records what arrived; it can be told to
answer 500, or never to answer, for a while."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Arrival:
    webhook_id: str
    event: dict[str, Any]
    headers: dict[str, str]
    body: bytes

    def verifies(self, secret: str) -> bool:
        return _verifies(secret, self.body, self.headers)


@dataclass
class Receiver:
    """One subscriber's endpoint. `mode`: "ok" (204), "fail" (500) or "hang" (no answer)."""

    secrets: list[str] = field(default_factory=list)
    mode: str = "ok"
    arrivals: list[Arrival] = field(default_factory=list)
    refused: int = 0
    """Deliveries whose signature did not verify (never expected)."""
    cut_off: int = 0
    """Requests whose body ended before its length (the sender killed while sending)."""
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver._received(self, body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _received(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.attempts += 1
            if len(body) < int(headers.get("content-length", "0")):
                # The sender was gone before its body was (killed mid-request): nothing
                # arrived, and nobody is left to answer.
                self.cut_off += 1
                return
            mode = self.mode
        if mode == "hang":
            time.sleep(30)  # longer than the delivery timeout: the sender gives up
            return
        if mode == "fail":
            handler.send_response(500)
            handler.end_headers()
            return
        verified = [s for s in self.secrets if _verifies(s, body, headers)]
        with self._lock:
            if not verified:
                self.refused += 1
            else:
                self.arrivals.append(
                    Arrival(headers["webhook-id"], json.loads(body), headers, body)
                )
        handler.send_response(204 if verified else 401)
        handler.end_headers()

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [a.event for a in self.arrivals]

    def first_arrivals(self) -> list[dict[str, Any]]:
        """Each event once, as it first arrived (a repeat carries the same webhook-id)."""
        seen: set[str] = set()
        firsts = []
        for event in self.events():
            if event["id"] not in seen:
                seen.add(event["id"])
                firsts.append(event)
        return firsts


def _verifies(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True
