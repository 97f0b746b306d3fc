"""Segment cache in Redis: an identical model input is never translated twice.

Keyed by the model (package and version), the decoding options and the exact
text sent to the model. Glossary terms are masked or cut out before the model
sees a segment, so the glossary version is part of the text itself: a changed
rendering never reuses a stale translation, and an unchanged paragraph of a
corrected article is a cache hit.

Each tenant has a cache of its own (`namespaced`): a shared one answered
"has another tenant translated exactly this sentence?" to anyone who could
submit it and read the job's cache_hits (or time it).
"""

from __future__ import annotations

import hashlib


class SegmentCache:
    def __init__(self, redis_client, ttl_seconds: int, prefix: str = "seg"):
        self._redis = redis_client
        self._ttl = ttl_seconds
        self._prefix = prefix

    def namespaced(self, namespace: str) -> "SegmentCache":
        """The same cache store, with keys of their own for `namespace` (a tenant)."""
        return SegmentCache(self._redis, self._ttl, f"{self._prefix}:{namespace}")

    def _key(self, model_key: str, text: str) -> str:
        digest = hashlib.sha256(f"{model_key}\x00{text}".encode()).hexdigest()
        return f"{self._prefix}:{digest}"

    def get_many(self, model_key: str, texts: list[str]) -> list[str | None]:
        if not texts:
            return []
        values = self._redis.mget([self._key(model_key, t) for t in texts])
        return [v.decode() if isinstance(v, bytes) else v for v in values]

    def put_many(self, model_key: str, translations: dict[str, str]) -> None:
        if not translations:
            return
        pipe = self._redis.pipeline(transaction=False)
        for text, translated in translations.items():
            pipe.set(self._key(model_key, text), translated, ex=self._ttl)
        pipe.execute()
