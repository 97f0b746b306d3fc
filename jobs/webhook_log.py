"""A job's webhook events and their deliveries, as jobs/webhooks.py records them.

    job:{id}:event:{event}   set once: the event is being sent (`claim_event`)
    job:{id}:deliveries      hash: event id -> the latest delivery record (JSON)

Both expire with the job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis


@dataclass
class WebhookLog:
    redis: redis.Redis
    ttl_seconds: int = 7 * 24 * 3600

    def claim_event(self, job_id: str, event_id: str) -> bool:
        """True exactly once per event: two workers finishing the last two
        languages at the same moment must not both announce the job's end."""
        return bool(self.redis.set(f"job:{job_id}:event:{event_id}", 1, nx=True, ex=self.ttl_seconds))

    def release_event(self, job_id: str, event_id: str) -> None:
        """Undo `claim_event` after the event could not be sent, so a retry sends it."""
        self.redis.delete(f"job:{job_id}:event:{event_id}")

    def record(self, job_id: str, event_id: str, delivery: dict) -> None:
        key = f"job:{job_id}:deliveries"
        self.redis.hset(key, event_id, json.dumps(delivery))
        self.redis.expire(key, self.ttl_seconds)

    def deliveries(self, job_id: str) -> list[dict]:
        raw = self.redis.hgetall(f"job:{job_id}:deliveries")
        return sorted((json.loads(v) for v in raw.values()), key=lambda d: d.get("created_at", 0))
