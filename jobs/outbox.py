"""Ended languages whose follow-up (webhook events; the revision was published
with the result) is not known to be done. The lease scripts put a language in
the outbox in the same step that ends it; `Pipeline.settle` takes it out once
the events are sent, and the sweeper settles what a dead worker left there."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from jobs.keys import OUTBOX_KEY, lease_member, parse_member


@dataclass
class Outbox:
    redis: redis.Redis

    def unsettled(self, older_than: float, limit: int = 500) -> list[tuple[str, str]]:
        """Ended languages whose follow-up has not been confirmed for `older_than` seconds."""
        seconds, micros = self.redis.time()
        members = self.redis.zrangebyscore(OUTBOX_KEY, "-inf", seconds + micros / 1e6 - older_than, start=0, num=limit)
        return [parse_member(m) for m in members]

    def settled(self, job_id: str, lang: str) -> None:
        self.redis.zrem(OUTBOX_KEY, lease_member(job_id, lang))
