"""Slow clients (slowloris): connections that each trickle a request, to check
that they cannot take the API's threads. Used by `make chaos` (its "slow
clients" scenario) and tests/test_front_e2e.py.

Half of the connections send their request head a line at a time, one line
every `pause` seconds, and never finish it; the other half send a whole head
announcing a body, then the body a byte every `pause` seconds. None carries an
API key. A connection the server closes (nginx's client_header_timeout or
client_body_timeout) is opened again at once, so `connections` are open for
the whole run. Loopback only, bounded in count and time: it stops by itself
after `seconds`.

While they run, `HealthProbe` asks GET /healthz in a loop and records how long
each answer took; a request that gets no answer in `timeout` seconds is a failure.
"""

from __future__ import annotations

import asyncio
import ipaddress
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

BODY_BYTES = 100_000  # announced by the body tricklers: below the 1 MiB limit, so nobody refuses it at once


def _loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"slow clients are for a stack on this machine only, not {host}")
    return host, parts.port or 80


@dataclass
class SlowClients:
    """The slow connections, in a process of their own (so that their event
    loop and the probe's thread do not take turns at one interpreter lock)."""

    url: str
    connections: int
    seconds: float
    pause: float = 3.0
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0

    def start(self) -> "SlowClients":
        _loopback(self.url)
        context = multiprocessing.get_context("spawn")
        self._results = context.Queue()
        self._process = context.Process(target=_trickle, args=(self, self._results), daemon=True)
        self._process.start()
        return self

    def join(self) -> None:
        deadline = time.monotonic() + self.seconds + 60
        while True:
            try:
                counts = self._results.get(timeout=1)
                break
            except queue.Empty:
                if not self._process.is_alive() or time.monotonic() > deadline:
                    self._process.kill()
                    raise RuntimeError(
                        f"the slow clients' process ended without its counts (exit code {self._process.exitcode})"
                    ) from None
        self._process.join(10)
        self.opened, self.closed_by_server, self.refused = counts

    async def _all(self) -> None:
        host, port = _loopback(self.url)
        until = time.monotonic() + self.seconds
        await asyncio.gather(*(self._one(host, port, until, body=i % 2 == 1) for i in range(self.connections)))

    async def _one(self, host: str, port: int, until: float, body: bool) -> None:
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            except (OSError, asyncio.TimeoutError):
                self.refused += 1
                await asyncio.sleep(self.pause)
                continue
            self.opened += 1
            try:
                if body:
                    writer.write(
                        b"POST /v1/jobs HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n{" % BODY_BYTES
                    )
                else:
                    writer.write(b"POST /v1/jobs HTTP/1.1\r\nHost: slow\r\n")
                await writer.drain()
                while time.monotonic() < until:
                    try:
                        # Whatever the server says (a 408, or nothing as it closes) ends this connection.
                        if not await asyncio.wait_for(reader.read(4096), self.pause) or reader.at_eof():
                            self.closed_by_server += 1
                            break
                        continue
                    except asyncio.TimeoutError:
                        pass
                    writer.write(b" " if body else b"X-Slow: %d\r\n" % int(time.monotonic()))
                    await writer.drain()
            except OSError:
                self.closed_by_server += 1
            finally:
                writer.close()


def _trickle(clients: SlowClients, results) -> None:
    asyncio.run(clients._all())
    results.put((clients.opened, clients.closed_by_server, clients.refused))


@dataclass
class HealthProbe:
    """GET /healthz one after another (at most 10 a second) until stopped."""

    url: str
    timeout: float = 2.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> "HealthProbe":
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.thread:
            self.thread.join(self.timeout + 5)

    def _run(self) -> None:
        # A new connection for each probe, as a load balancer's health check
        # opens one (one client: building one per request costs milliseconds here, not in the server).
        http = httpx.Client(timeout=self.timeout, limits=httpx.Limits(max_keepalive_connections=0))
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                ok = http.get(f"{self.url}/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            took = time.monotonic() - started
            if ok:
                self.latencies.append(took)
            else:
                self.failures += 1
            self.stopping.wait(max(0.0, 0.1 - took))
        http.close()

    def summary(self) -> dict:
        # An unanswered probe counts as the timeout: the quantiles are then a lower bound.
        ordered = sorted(self.latencies + [self.timeout] * self.failures)

        def quantile(q: float) -> float | None:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if ordered else None

        return {
            "probes": len(ordered) + self.failures,
            "failures": self.failures,
            "p50_ms": quantile(0.5),
            "p99_ms": quantile(0.99),
            "max_ms": quantile(1.0),
        }
