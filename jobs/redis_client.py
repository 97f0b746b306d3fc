"""Redis clients for the two kinds of callers, and the one way every process
reaches Redis: one server (REDIS_URL), or the primary of a replicated set
found through Sentinel (REDIS_SENTINELS; docs/ha.md).

The API answers while a client waits, so it fails fast: one or two quick
retries ride over a reconnect, then the request gets a 503 (service/problems.py).
Workers have no one waiting on them, so a write (marking a language failed,
storing a result, renewing a lease) waits out a Redis blip or restart: retried
with backoff for about a minute before the error reaches the task.

Through Sentinel a retry is also how a failover is ridden: a connection to the
old primary fails (refused, or READONLY once it came back as a replica), and
the pool asks the sentinels again for the primary on the next attempt. The API's
retries span a few seconds there, the usual time for the sentinels to agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from config import Settings

RETRY_ON = [redis.ConnectionError, redis.TimeoutError]


@dataclass(frozen=True)
class Target:
    """Where Redis is: a URL, or sentinels and a master name (plus the
    password and database from the URL)."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    master_name: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Target:
        return cls(
            settings.redis_url, tuple(_host_port(s) for s in settings.redis_sentinels), settings.redis_master_name
        )

    @property
    def password(self) -> str | None:
        parts = urlsplit(self.url)
        return unquote(parts.password) if parts.password else None

    @property
    def db(self) -> int:
        path = urlsplit(self.url).path.strip("/")
        return int(path) if path.isdigit() else 0

    def celery_broker(self) -> tuple[str, dict]:
        """The broker URL and transport options of kombu's Redis or Sentinel transport.

        kombu's sentinel transport takes one `sentinel://` URL per sentinel,
        joined by `;`, and the master name in the transport options; the
        password of the URL is the data nodes', `sentinel_kwargs` the sentinels'."""
        if not self.sentinels:
            return self.url, {}
        auth = f":{self.password}@" if self.password else ""
        url = ";".join(f"sentinel://{auth}{host}:{port}/{self.db}" for host, port in self.sentinels)
        options: dict = {"master_name": self.master_name}
        if self.password:
            options["sentinel_kwargs"] = {"password": self.password}
        return url, options


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"REDIS_SENTINELS: {text!r} is not host:port")
    return host.strip("[]"), int(port)


def connect(settings: Settings | Target, *, patient: bool, socket_timeout: float = 10) -> redis.Redis:
    target = settings if isinstance(settings, Target) else Target.from_settings(settings)
    if patient:
        retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=40)  # about 70 s in all
    elif target.sentinels:
        # A failover takes the sentinels' down-after time plus an election
        # (about 2-5 s with docs/ha.md's settings): the API waits that long
        # rather than answering 503 at the first refused connection.
        retry = Retry(ExponentialBackoff(cap=1.0, base=0.1), retries=8)  # about 5 s in all
    else:
        retry = Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=2)
    # BusyLoadingError (Redis still loading its data after a restart) is a
    # ConnectionError, so it is retried too; so is redis-py's own "the previous
    # master is now a replica" (a ReadOnlyError turned ConnectionError by the
    # sentinel-managed connection).
    common = {"retry": retry, "retry_on_error": RETRY_ON, "socket_connect_timeout": 2, "socket_timeout": socket_timeout}
    if not target.sentinels:
        return redis.Redis.from_url(target.url, **common)
    sentinel = Sentinel(
        list(target.sentinels),
        password=target.password,
        db=target.db,
        sentinel_kwargs={"password": target.password, "socket_connect_timeout": 1, "socket_timeout": 1},
    )
    return sentinel.master_for(target.master_name, **common)
