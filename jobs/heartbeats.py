"""Worker heartbeats: each worker's main process writes one every
HEARTBEAT_INTERVAL_SECONDS (workers/worker.py); the metrics call a worker alive
within three intervals.

    workers:heartbeat   sorted set: worker name by its last beat
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

HEARTBEATS_KEY = "workers:heartbeat"
HEARTBEAT_INTERVAL_SECONDS = 15


@dataclass
class WorkerHeartbeats:
    redis: redis.Redis

    def beat(self, worker: str) -> None:
        self.redis.zadd(HEARTBEATS_KEY, {worker: round(time.time(), 3)})

    def last(self, forget_after: float = 24 * 3600) -> dict[str, float]:
        """Last heartbeat per worker; workers silent for a day are forgotten."""
        self.redis.zremrangebyscore(HEARTBEATS_KEY, "-inf", time.time() - forget_after)
        rows: list[tuple[bytes, float]] = self.redis.zrange(HEARTBEATS_KEY, 0, -1, withscores=True)  # type: ignore[assignment]
        return {name.decode(): at for name, at in rows}
