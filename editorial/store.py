"""Where drafts and carried edits live on Redis.

    job:{id}:lang:{xx}:segments              the language's `Draft` (editorial/segments.py)
    job:{id}:lang:{xx}                       (the job store's hash) `result` re-rendered and
                                             `review` (JSON summary) written with each change
    edits:{tenant}:{external_id}:{xx}        hash: source key -> the human edit of that sentence

Carried edits are what makes a corrected article's next revision keep its
corrections: every edit of a job with an `external_id` is written here too, and
the pipeline takes them before the memory and the model for the next revision.
They outlive the job (a CMS resubmits an article days later), and are the
tenant's like everything else here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import redis

from editorial.segments import Draft, dump, load, source_key
from jobs.keys import lang_key


class Stale(Exception):
    """The draft is not at the version the caller edited."""

    def __init__(self, current: Draft):
        super().__init__(f"draft is at version {current.version}")
        self.current = current


class NoDraft(LookupError):
    """The language has no segments (not translated yet, failed, or translated before drafts existed)."""


def draft_key(job_id: str, lang: str) -> str:
    return f"{lang_key(job_id, lang)}:segments"


@dataclass
class Drafts:
    redis: redis.Redis
    ttl_seconds: int = 7 * 24 * 3600  # a job's lifetime (JOB_TTL_SECONDS)

    def save(self, job_id: str, lang: str, draft: Draft) -> None:
        """The pipeline's draft, written before the result it goes with."""
        pipe = self.redis.pipeline()
        pipe.set(draft_key(job_id, lang), dump(draft), ex=self.ttl_seconds)
        pipe.hset(lang_key(job_id, lang), "review", json.dumps(draft.review_summary()))
        pipe.execute()

    def get(self, job_id: str, lang: str) -> Draft:
        raw = self.redis.get(draft_key(job_id, lang))
        if raw is None:
            raise NoDraft(f"{job_id}/{lang}")
        return load(raw)

    def update(
        self, job_id: str, lang: str, expected_version: int | None, change: Callable[[Draft], tuple[Draft, dict]]
    ) -> Draft:
        """Apply `change` (draft -> (new draft, the result's changed fields)) if the
        draft is still at `expected_version`; `Stale` otherwise. Draft, result and
        review summary are written in one transaction, so a reader never sees a
        result that disagrees with the segments."""
        key, language = draft_key(job_id, lang), lang_key(job_id, lang)

        def apply(pipe: redis.client.Pipeline) -> Draft:
            raw = pipe.get(key)
            if raw is None:
                raise NoDraft(f"{job_id}/{lang}")
            current = load(raw)
            if expected_version is not None and current.version != expected_version:
                raise Stale(current)
            new, result_changes = change(current)
            stored = pipe.hget(language, "result")
            result = {**json.loads(stored), **result_changes} if stored else None
            pipe.multi()
            pipe.set(key, dump(new), keepttl=True)
            fields: dict[str | bytes, str] = {"review": json.dumps(new.review_summary())}
            if result is not None:
                fields["result"] = json.dumps(result)
            pipe.hset(language, mapping=fields)  # type: ignore[arg-type]
            return new

        # (redis-py's stubs expect a callable returning None; value_from_callable returns its value.)
        return self.redis.transaction(apply, key, language, value_from_callable=True)  # type: ignore[arg-type,return-value]


@dataclass
class CarriedEdits:
    redis: redis.Redis

    @staticmethod
    def key(tenant: str, external_id: str, lang: str) -> str:
        return f"edits:{tenant}:{external_id}:{lang}"

    def keep(self, tenant: str, external_id: str, lang: str, edits: list[dict]) -> None:
        """Edits as {source, target, inline, inline_in_target, provenance}."""
        if edits:
            self.redis.hset(
                self.key(tenant, external_id, lang), mapping={source_key(e["source"]): json.dumps(e) for e in edits}
            )

    def find(self, tenant: str, external_id: str, lang: str, sentences: list[str]) -> list[dict | None]:
        if not sentences:
            return []
        raw = self.redis.hmget(self.key(tenant, external_id, lang), [source_key(s) for s in sentences])
        return [json.loads(r) if r else None for r in raw]
