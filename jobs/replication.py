"""Acknowledged writes are on a replica before anyone is told about them.

Redis replicates asynchronously: a primary that dies right after a write may
take it along, and the replica the sentinels promote never had it. So before
the API answers a successful write (a job accepted, a glossary version saved,
a key created or revoked, an approval, a console session), and before a
worker announces a language's outcome (webhooks), this waits until
`REDIS_ACK_REPLICAS` replicas hold everything written so far (Redis's `WAIT`).

`WAIT` counts the writes of the connection it is sent on; a request's writes
may have gone through other pooled connections (and the task message through
the broker's). One marker write first, on the same connection in one
pipeline, fixes that: the replication stream is ordered, so a replica that
has the marker has every write the primary acknowledged before it.

If the replicas do not confirm in time (none connected, one lagging behind),
`NotReplicated` is raised: the API answers 503 instead of a success it could
not keep, and a worker leaves the outcome unannounced for the sweeper's
outbox to announce again later (jobs/outbox.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

MARKER_KEY = "replication:marker"


class NotReplicated(redis.ConnectionError):
    """The replicas did not confirm a write in time; it may be lost in a failover.

    A ConnectionError: every caller already treats Redis being away as "retry
    later" (the API's 503 with Retry-After, a worker's retried write)."""


@dataclass(frozen=True)
class Replication:
    client: redis.Redis
    replicas: int = 0  # REDIS_ACK_REPLICAS; 0: answer at once (one Redis, or no such promise)
    timeout_ms: int = 2000  # REDIS_ACK_TIMEOUT_MS

    @classmethod
    def from_settings(cls, client: redis.Redis, settings) -> Replication:
        return cls(client, settings.redis_ack_replicas, settings.redis_ack_timeout_ms)

    def confirm(self) -> float:
        """Wait until the replicas hold every write so far; the seconds it took.
        NotReplicated when fewer than `replicas` confirm within the timeout."""
        if self.replicas <= 0:
            return 0.0
        started = time.perf_counter()
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(MARKER_KEY)
        pipe.execute_command("WAIT", self.replicas, self.timeout_ms)
        _, confirmed = pipe.execute()
        if int(confirmed) < self.replicas:
            raise NotReplicated(
                f"{confirmed} of {self.replicas} replica(s) confirmed the write within "
                f"{self.timeout_ms} ms; it may not survive a failover"
            )
        return time.perf_counter() - started
