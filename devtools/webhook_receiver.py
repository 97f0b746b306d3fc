"""A webhook endpoint on loopback, for the tests and the chaos run: a real
HTTP server that the service's deliveries reach as they would a CMS."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


class WebhookReceiver:
    """Records every POST as (headers, body), hands it to `on_post` if given,
    and answers 500 to the first `failures` of them, 204 to the rest."""

    def __init__(
        self,
        path: str = "/hook",
        failures: int = 0,
        on_post: Callable[[dict, bytes], None] | None = None,
        host: str = "127.0.0.1",
    ):
        self.failures = failures
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                headers, body = dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((headers, body))
                if on_post:
                    on_post(headers, body)
                self.send_response(500 if len(receiver.requests) <= receiver.failures else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def bodies(self) -> list[bytes]:
        return [body for _, body in self.requests]

    @property
    def events(self) -> list[dict]:
        return [json.loads(body) for body in self.bodies]

    @property
    def hosts(self) -> list[str]:
        return [headers["Host"] for headers, _ in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
