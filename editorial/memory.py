"""Translation memories: one per tenant and language pair, on Redis.

    tm:{tenant}:{source}:{target}        hash: source key -> a memory entry (JSON)
    tm:{tenant}:pairs                    set: "{source}:{target}" pairs that have a memory

An entry is a source sentence and its approved (or imported) translation, with
the inline markup ranges it was approved with. Keys carry the tenant: a lookup
can only ever read its own tenant's memory, so no tenant's corrections reach
another's jobs, suggestions or statistics.

Exact matches are one HMGET for a whole article; fuzzy suggestions scan the
pair's entries with rapidfuzz (an editor asks for one segment at a time; a
newsroom's memory is thousands of sentences, not millions).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

import redis
from rapidfuzz import fuzz, process

from conventions import iso
from editorial.segments import source_key

APPROVED, IMPORTED = "approved", "imported"


@dataclass(frozen=True)
class Entry:
    source: str
    target: str
    origin: str = APPROVED  # approved | imported
    inline: tuple = ()  # source ranges of inline phrases
    inline_in_target: tuple = ()  # their target ranges (None where unknown)
    author: dict | None = None  # {key, name} of the approver or importer
    job_id: str | None = None  # the job it was approved in
    updated_at: float = 0.0
    id: str = field(default="")

    def __post_init__(self):
        if not self.id:
            object.__setattr__(self, "id", source_key(self.source))

    def to_api(self) -> dict:
        data = asdict(self)
        data["updated_at"] = iso(self.updated_at)
        data["inline"] = [list(r) for r in self.inline]
        data["inline_in_target"] = [list(r) if r else None for r in self.inline_in_target]
        return data


def _entry(raw: bytes | str) -> Entry:
    data = json.loads(raw)
    return Entry(
        **{
            **data,
            "inline": tuple(tuple(r) for r in data.get("inline") or ()),
            "inline_in_target": tuple(tuple(r) if r else None for r in data.get("inline_in_target") or ()),
        }
    )


@dataclass
class TranslationMemory:
    redis: redis.Redis

    @staticmethod
    def key(tenant: str, source: str, target: str) -> str:
        # Tenants match conventions.ID (no ':'), so two tenants' keys never collide.
        return f"tm:{tenant}:{source}:{target}"

    def add(self, tenant: str, source: str, target: str, entries: list[Entry]) -> int:
        if not entries:
            return 0
        now = round(time.time(), 3)
        pipe = self.redis.pipeline()
        pipe.hset(
            self.key(tenant, source, target),
            mapping={
                e.id: json.dumps(asdict(Entry(**{**asdict(e), "updated_at": e.updated_at or now}))) for e in entries
            },
        )
        pipe.sadd(f"tm:{tenant}:pairs", f"{source}:{target}")
        pipe.execute()
        return len(entries)

    def exact(self, tenant: str, source: str, target: str, sentences: list[str]) -> list[Entry | None]:
        """The entry for each sentence, or None: one round trip for an article."""
        if not sentences or not tenant:
            return [None] * len(sentences)
        raw = self.redis.hmget(self.key(tenant, source, target), [source_key(s) for s in sentences])
        return [_entry(r) if r else None for r in raw]

    def entries(self, tenant: str, source: str, target: str) -> list[Entry]:
        raw = self.redis.hgetall(self.key(tenant, source, target))
        return sorted((_entry(v) for v in raw.values()), key=lambda e: (-e.updated_at, e.source))

    def suggestions(
        self, tenant: str, source: str, target: str, sentence: str, threshold: float = 75.0, limit: int = 3
    ) -> list[tuple[Entry, float]]:
        """Entries whose source is like `sentence` (rapidfuzz ratio, 0-100), best first."""
        candidates = self.entries(tenant, source, target)
        found = process.extract(
            sentence, [e.source for e in candidates], scorer=fuzz.ratio, score_cutoff=threshold, limit=limit
        )
        return [(candidates[index], round(score, 1)) for _, score, index in found]

    def search(
        self, tenant: str, source: str, target: str, query: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[list[Entry], int]:
        wanted = query.casefold()
        found = [
            e
            for e in self.entries(tenant, source, target)
            if not wanted or wanted in e.source.casefold() or wanted in e.target.casefold()
        ]
        return found[offset : offset + limit], len(found)

    def get(self, tenant: str, source: str, target: str, entry_id: str) -> Entry | None:
        raw = self.redis.hget(self.key(tenant, source, target), entry_id)
        return _entry(raw) if raw else None

    def delete(self, tenant: str, source: str, target: str, entry_id: str) -> bool:
        return bool(self.redis.hdel(self.key(tenant, source, target), entry_id))

    def drop(self, tenant: str, source: str, target: str) -> bool:
        pipe = self.redis.pipeline()
        pipe.delete(self.key(tenant, source, target))
        pipe.srem(f"tm:{tenant}:pairs", f"{source}:{target}")
        return bool(pipe.execute()[0])

    def pairs(self, tenant: str) -> list[tuple[str, str, int]]:
        """(source, target, entry count) of every memory of the tenant."""
        pairs = sorted(p.decode() if isinstance(p, bytes) else p for p in self.redis.smembers(f"tm:{tenant}:pairs"))
        pipe = self.redis.pipeline()
        for pair in pairs:
            pipe.hlen(self.key(tenant, *pair.split(":", 1)))
        counts = pipe.execute()
        return [(*pair.split(":", 1), count) for pair, count in zip(pairs, counts) if count]
