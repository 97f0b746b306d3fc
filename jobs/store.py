"""Job state in Redis, shared by the API (writes jobs, reads them) and the
workers (claim a language, store its result).

Celery's result backend expires and has one state per task; a job here has a
state per target language, so it lives in its own keys (their fields:
jobs/record.py, the one module that reads and writes them):

    job:{id}             hash: the request (a typed JobRequest), created_at, cancelled flag
    job:{id}:lang:{xx}   hash: a LanguageRecord, its lease (holder, lease_until,
                         time_limit) and its result
    jobs:tenant:{t}      sorted set: a tenant's job ids by creation time (listing)
    jobs:all             sorted set: every job id by creation time (admin listing)
    active:{kind}:{state} sorted sets of unfinished jobs and languages
                         ("{id}:{xx}") by state, for metrics read in O(1)

`JobStore` writes, reads (a job or a page of them in one round trip) and
cancels jobs. What lives next to them has a class of its own, reached through
the store: `leases` (jobs/lease_store.py: claim, renew, write, sweep),
`outbox` (jobs/outbox.py), `articles` (jobs/publication.py: revisions
published per external_id and tenant), `webhooks` (jobs/webhook_log.py:
events and deliveries), `heartbeats` (jobs/heartbeats.py).

The job's overall state is derived from its languages, never stored, so it
cannot disagree with them. Every write that changes a language's state is a
check-and-set (a transaction or a Lua script), so a redelivered task cannot
overwrite a finished result or resurrect a cancelled language.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from jobs import publication, record
from jobs.heartbeats import WorkerHeartbeats
from jobs.keys import LEASES_KEY, active_key, job_key, lang_key, lease_member, new_job_id, now
from jobs.lease_store import Leases
from jobs.outbox import Outbox
from jobs.publication import Articles
from jobs.record import ACTIVE, TERMINAL, JobNotFound, JobRecord, JobRequest, LanguageRecord, State
from jobs.webhook_log import WebhookLog

__all__ = ["JobStore", "JobNotFound", "now", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TERMINAL"]

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = State


# A job, its languages (without their results, which can be large) and its webhook
# deliveries, read inside Redis: one round trip for a job or a page of them. The
# keys are derived here from the job ids (the deployment is one Redis, not a cluster).
_READ = """
local function pairs_without(key, skip)
  local raw = redis.call('HGETALL', key)
  local kept = {}
  for i = 1, #raw, 2 do
    if raw[i] ~= skip then kept[#kept + 1] = raw[i]; kept[#kept + 1] = raw[i + 1] end
  end
  return kept
end
local function read(id)
  local job = redis.call('HGETALL', 'job:' .. id)
  if #job == 0 then return nil end
  local request
  for i = 1, #job, 2 do if job[i] == 'request' then request = job[i + 1] end end
  local languages = {}
  for _, lang in ipairs(cjson.decode(request)['target_langs']) do
    languages[#languages + 1] = lang
    languages[#languages + 1] = pairs_without('job:' .. id .. ':lang:' .. lang, 'result')
  end
  return {id, job, languages, redis.call('HGETALL', 'job:' .. id .. ':deliveries')}
end
"""
# ARGV: job ids. Returns the jobs that exist.
READ_JOBS = (
    _READ
    + """
local found = {}
for _, id in ipairs(ARGV) do
  local job = read(id)
  if job then found[#found + 1] = job end
end
return found
"""
)
# KEYS: 1 the index; ARGV: 1 expiry horizon, 2 start, 3 stop. Returns {total, jobs}.
READ_PAGE = (
    _READ
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local found = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local job = read(id)
  if job then found[#found + 1] = job end
end
return {redis.call('ZCARD', KEYS[1]), found}
"""
)


def _pairs(flat: list) -> dict:
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


@dataclass
class JobStore:
    redis: redis.Redis
    ttl_seconds: int = 7 * 24 * 3600
    lease_seconds: float = 30
    max_attempts: int = 5
    # How long a queued language may wait unclaimed before the sweeper checks
    # that its task message still exists (see Sweeper).
    dispatch_grace_seconds: float = 60

    def __post_init__(self):
        self._read = self.redis.register_script(READ_JOBS)
        self._page = self.redis.register_script(READ_PAGE)
        # The rest of what lives next to jobs, each in a class of its own.
        self.articles = Articles(self.redis)
        self.webhooks = WebhookLog(self.redis, self.ttl_seconds)
        self.heartbeats = WorkerHeartbeats(self.redis)
        self.leases = Leases(self)
        self.outbox = Outbox(self.redis)

    @classmethod
    def from_settings(cls, client: redis.Redis, settings) -> "JobStore":
        return cls(
            client,
            settings.job_ttl_seconds,
            settings.job_lease_seconds,
            settings.job_max_attempts,
            settings.job_dispatch_grace_seconds,
        )

    @staticmethod
    def _indexes(request: JobRequest) -> list[str]:
        return ["jobs:all"] + ([f"jobs:tenant:{request.tenant}"] if request.tenant else [])

    def create(self, request: JobRequest | dict) -> str:
        """Write the whole job in one transaction: it exists completely or not at all."""
        if isinstance(request, dict):
            request = record.request_from_dict(request)
        job_id = new_job_id()
        created = now()
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(job_key(job_id), mapping=record.new_job_fields(request, job_id, created))
        pipe.expire(job_key(job_id), self.ttl_seconds)
        for lang in request.target_langs:
            key = lang_key(job_id, lang)
            pipe.hset(key, mapping=record.new_language_fields(created))
            pipe.expire(key, self.ttl_seconds)
            pipe.zadd(active_key("languages", QUEUED), {f"{job_id}:{lang}": created})
            pipe.zadd(LEASES_KEY, {lease_member(job_id, lang): created + self.dispatch_grace_seconds})
        pipe.zadd(active_key("jobs", QUEUED), {job_id: created})
        for index in self._indexes(request):
            # Entries older than the TTL name expired jobs: dropped as new ones come in.
            pipe.zremrangebyscore(index, "-inf", created - self.ttl_seconds)
            pipe.zadd(index, {job_id: created})
        pipe.execute()
        return job_id

    def delete(self, job_id: str, langs: list[str]) -> None:
        request = self.request(job_id)
        # Not a MULTI: a full Redis refuses every command queued in a
        # transaction, but still runs a plain DEL or ZREM, which free memory.
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(job_key(job_id), *(lang_key(job_id, lang) for lang in langs))
            pipe.zrem(LEASES_KEY, *(lease_member(job_id, lang) for lang in langs))
            for index in self._indexes(request):
                pipe.zrem(index, job_id)
            for state in ACTIVE:
                pipe.zrem(active_key("jobs", state), job_id)
                pipe.zrem(active_key("languages", state), *(f"{job_id}:{lang}" for lang in langs))
            pipe.execute()

    def created_at(self, job_id: str) -> float | None:
        raw = self.redis.hget(job_key(job_id), "created_at")
        return float(raw) if raw else None

    def list(self, tenant: str | None, offset: int = 0, limit: int = 50) -> tuple[list[JobRecord], int]:
        """Jobs of one tenant (None: of everyone), newest first, and how many there are:
        one round trip for the whole page (a script reads every job and its languages)."""
        index = f"jobs:tenant:{tenant}" if tenant else "jobs:all"
        total, rows = self._page(keys=[index], args=[now() - self.ttl_seconds, offset, offset + limit - 1])
        return [self._record(row) for row in rows], int(total)

    def job(self, job_id: str) -> JobRecord:
        """The job with its languages (without their results) and webhook deliveries, in one round trip."""
        rows = self._read(args=[job_id])
        if not rows:
            raise JobNotFound(job_id)
        return self._record(rows[0])

    @staticmethod
    def _record(row) -> JobRecord:
        job_id, raw_job, raw_languages, raw_deliveries = row
        languages = {raw_languages[i].decode(): _pairs(raw_languages[i + 1]) for i in range(0, len(raw_languages), 2)}
        return record.load_job(job_id.decode(), _pairs(raw_job), languages, _pairs(raw_deliveries))

    def request(self, job_id: str) -> JobRequest:
        raw = self.redis.hget(job_key(job_id), "request")
        if raw is None:
            raise JobNotFound(job_id)
        return record.load_request(raw)

    def language(self, job_id: str, lang: str) -> LanguageRecord:
        raw = self.redis.hgetall(lang_key(job_id, lang))
        if not raw:
            raise JobNotFound(job_id)
        return record.load_language(raw)

    # -- worker side: leases -------------------------------------------------

    def _transition(
        self, job_id: str, lang: str, allowed_from: set[str], fields: dict, publish: tuple[str, int, str] | None = None
    ) -> bool:
        """Set fields only if the language is currently in one of `allowed_from`
        (the API cancelling queued languages; a worker writes through the lease
        scripts); with `publish` (external_id, revision, tenant), publish the
        revision in the same transaction (see `publish`)."""
        key = lang_key(job_id, lang)
        job = job_key(job_id)
        article_key = f"{publication.article_key(publish[2], publish[0])}:{lang}" if publish else None

        def apply(pipe: redis.client.Pipeline) -> bool:
            state = pipe.hget(key, "state")
            cancelled = pipe.hget(job, "cancelled")
            if state is None or state.decode() not in allowed_from:
                return False
            if cancelled == b"1" and fields.get("state") == RUNNING:
                return False
            current = pipe.hget(article_key, "revision") if publish else None
            pipe.multi()
            pipe.hset(key, mapping={**fields, "updated_at": now()})
            if fields.get("state", state.decode()) != state.decode():
                self._move_in_indexes(pipe, job_id, lang, state.decode(), fields["state"])
            if fields.get("state") in TERMINAL:
                pipe.zrem(LEASES_KEY, lease_member(job_id, lang))
            if publish and (current is None or int(current) <= publish[1]):
                pipe.hset(article_key, mapping={"revision": publish[1], "job_id": job_id, "published_at": now()})
            return True

        watched = (key, job, article_key) if publish else (key, job)
        changed = self.redis.transaction(apply, *watched, value_from_callable=True)
        if changed and fields.get("state") in TERMINAL and self.all_finished(job_id):
            # Whichever language finishes last sees all of them finished
            # (each check runs after its own transaction committed).
            self._settle(job_id)
        return changed

    @staticmethod
    def _move_in_indexes(pipe, job_id: str, lang: str, old: str, new: str) -> None:
        member = f"{job_id}:{lang}"
        if old in ACTIVE:
            pipe.zrem(active_key("languages", old), member)
        if new in ACTIVE:
            pipe.zadd(active_key("languages", new), {member: now()})
        if new == RUNNING:  # the job runs as soon as one of its languages does
            pipe.zrem(active_key("jobs", QUEUED), job_id)
            pipe.zadd(active_key("jobs", RUNNING), {job_id: now()}, nx=True)

    def ended(self, job_id: str) -> None:
        """A language just ended: if it was the job's last, the job leaves the active sets."""
        if self.all_finished(job_id):
            self._settle(job_id)

    def _settle(self, job_id: str) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for state in ACTIVE:
            pipe.zrem(active_key("jobs", state), job_id)
        pipe.execute()

    def active_counts(self) -> dict:
        """Unfinished jobs and languages by state, and when the oldest queued
        language was submitted (None if none is queued). Entries of jobs that
        expired unfinished are pruned here."""
        horizon = now() - self.ttl_seconds
        pipe = self.redis.pipeline(transaction=False)
        for kind in ("jobs", "languages"):
            for state in ACTIVE:
                pipe.zremrangebyscore(active_key(kind, state), "-inf", horizon)
                pipe.zcard(active_key(kind, state))
        pipe.zrange(active_key("languages", QUEUED), 0, 0, withscores=True)
        *counts, oldest = pipe.execute()
        cards = counts[1::2]
        return {
            "jobs": {QUEUED: cards[0], RUNNING: cards[1]},
            "languages": {QUEUED: cards[2], RUNNING: cards[3]},
            "oldest_queued_at": oldest[0][1] if oldest else None,
        }

    def result(self, job_id: str, lang: str) -> dict | None:
        return record.load_result(self.redis.hget(lang_key(job_id, lang), "result"))

    def all_finished(self, job_id: str) -> bool:
        return all(language.terminal for language in self.job(job_id).languages.values())

    def cancel(self, job_id: str) -> list[str]:
        """Cancel the languages that have not started; returns them."""
        request = self.request(job_id)
        self.redis.hset(job_key(job_id), "cancelled", 1)
        cancelled = []
        for lang in request.target_langs:
            if self._transition(job_id, lang, {QUEUED}, {"state": CANCELLED, "finished_at": now()}):
                cancelled.append(lang)
        return cancelled
