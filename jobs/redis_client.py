"""Redis clients for the two kinds of callers.

The API answers while a client waits, so it fails fast: one or two quick
retries ride over a reconnect, then the request gets a 503 (service/problems.py).
Workers have no one waiting on them, so a write (marking a language failed,
storing a result, renewing a lease) waits out a Redis blip or restart: retried
with backoff for about a minute before the error reaches the task.
"""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


def connect(url: str, *, patient: bool, socket_timeout: float = 10) -> redis.Redis:
    if patient:
        retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=40)  # about 70 s in all
    else:
        retry = Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=2)
    # BusyLoadingError (Redis still loading its data after a restart) is a
    # ConnectionError, so it is retried too.
    return redis.Redis.from_url(url, retry=retry, retry_on_error=[redis.ConnectionError, redis.TimeoutError],
                                socket_connect_timeout=2, socket_timeout=socket_timeout)
