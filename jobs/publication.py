"""Articles keyed by the CMS's external_id, per tenant: their revision counter
and the revision published in each language.

    article:{tenant}:{external_id}:revisions   counter: the last revision handed out
    article:{tenant}:{external_id}:{lang}      hash: revision, job_id, published_at

A succeeded language publishes its job's revision in the same script that
stores its result (jobs/lease_scripts.py WRITE, under `article_key`), so
whoever sees the language succeeded finds the article published too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from conventions import iso


def article_key(tenant: str, external_id: str) -> str:
    # Tenants match conventions.ID (no ':'), so two tenants' keys never collide.
    return f"article:{tenant}:{external_id}" if tenant else f"article:{external_id}"


@dataclass
class Articles:
    redis: redis.Redis

    def next_revision(self, external_id: str, tenant: str = "") -> int:
        return int(self.redis.incr(f"{article_key(tenant, external_id)}:revisions"))

    def publish(self, external_id: str, lang: str, revision: int, job_id: str, tenant: str = "") -> bool:
        """Make this revision the published one, unless a newer revision already is
        (revisions can finish out of order on different workers)."""
        key = f"{article_key(tenant, external_id)}:{lang}"

        def apply(pipe: redis.client.Pipeline) -> bool:
            current = pipe.hget(key, "revision")
            if current is not None and int(current) > revision:
                return False
            pipe.multi()
            pipe.hset(key, mapping={"revision": revision, "job_id": job_id, "published_at": round(time.time(), 3)})
            return True

        # (redis-py's stubs expect a callable returning None; value_from_callable returns its value.)
        return bool(self.redis.transaction(apply, key, value_from_callable=True))  # type: ignore[arg-type]

    def published(self, external_id: str, lang: str, tenant: str = "") -> dict | None:
        raw = self.redis.hgetall(f"{article_key(tenant, external_id)}:{lang}")
        if not raw:
            return None
        data = {_text(k): _text(v) for k, v in raw.items()}
        return {"revision": int(data["revision"]), "job_id": data["job_id"], "published_at": iso(data["published_at"])}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
