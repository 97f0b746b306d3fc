"""Job state in Redis, shared by the API (writes jobs, reads status) and the
workers (claim a language, store its result).

Celery's result backend expires and has one state per task; a job here has a
state per target language, so it lives in its own keys:

    job:{id}             hash: request fields, created_at, cancelled flag
    job:{id}:lang:{xx}   hash: state, progress, timestamps, error, result,
                         and the lease: holder, lease_until, attempts, time_limit
    leases               sorted set: every open language ("<id>/<xx>"),
                         scored by the time it must next be looked at
    outbox               sorted set: ended languages whose follow-up (publishing,
                         webhook events) is not known to be done, scored by their end
    jobs:tenant:{t}      sorted set: a tenant's job ids by creation time (listing)
    jobs:all             sorted set: every job id by creation time (admin listing)
    active:{kind}:{state} sorted sets of unfinished jobs and languages
                         ("{id}:{xx}") by state, for metrics read in O(1)

A job's request carries its `owner` (the submitting key's id, prefix and
tenant); articles published under an `external_id` are kept per tenant.

The job's overall state is derived from its languages, never stored, so it
cannot disagree with them. Every write that changes a language's state is a
check-and-set (a transaction or a Lua script), so a redelivered task cannot
overwrite a finished result or resurrect a cancelled language.

Exactly one outcome per language, whatever dies: a worker claims a language
with a lease (`claim`) that a heartbeat renews while it works (`renew`); only
the lease holder may write progress and the result (`write`). A language whose
lease ran out (its worker was killed, or lost Redis) is put back in the queue
by the sweeper (`sweep`), at most `max_attempts` times, then failed with the
reason; a cancelled job's language is cancelled instead. See jobs/leases.py.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

import redis

from conventions import iso
from jobs import lease_scripts, record
from jobs.record import ACTIVE, TERMINAL, JobRecord, JobRequest, LanguageRecord, State, overall_state

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = State
HEARTBEATS = "workers:heartbeat"
HEARTBEAT_INTERVAL_SECONDS = 15  # workers write one this often; metrics call a worker alive within 3 intervals


def _active(kind: str, state: str) -> str:
    return f"active:{kind}:{state}"


LEASES_KEY = "leases"

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
READ_JOBS = _READ + """
local found = {}
for _, id in ipairs(ARGV) do
  local job = read(id)
  if job then found[#found + 1] = job end
end
return found
"""
# KEYS: 1 the index; ARGV: 1 expiry horizon, 2 start, 3 stop. Returns {total, jobs}.
READ_PAGE = _READ + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local found = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])) do
  local job = read(id)
  if job then found[#found + 1] = job end
end
return {redis.call('ZCARD', KEYS[1]), found}
"""


def _pairs(flat: list) -> dict:
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}
OUTBOX_KEY = "outbox"


class JobNotFound(Exception):
    pass


@dataclass(frozen=True)
class Claim:
    """What `claim` found: `claimed` (run it, as `holder`), or why not: busy
    (another worker holds a live lease), finished, cancelled, exhausted (failed
    now: too many attempts), missing (the job expired)."""

    outcome: str
    attempts: int
    holder: str = ""

    @property
    def claimed(self) -> bool:
        return self.outcome == "claimed"


def now() -> float:
    return round(time.time(), 3)


def lease_member(job_id: str, lang: str) -> str:
    return f"{job_id}/{lang}"


def exhausted_reason(max_attempts: int) -> str:
    return (f"gave up after {max_attempts} attempts: the worker running it stopped each time "
            f"(killed, out of memory, or cut off from Redis); see JOB_MAX_ATTEMPTS")


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
        self._claim = self.redis.register_script(lease_scripts.CLAIM)
        self._renew = self.redis.register_script(lease_scripts.RENEW)
        self._write = self.redis.register_script(lease_scripts.WRITE)
        self._sweep = self.redis.register_script(lease_scripts.SWEEP)
        self._read = self.redis.register_script(READ_JOBS)
        self._page = self.redis.register_script(READ_PAGE)

    @classmethod
    def from_settings(cls, client: redis.Redis, settings) -> "JobStore":
        return cls(client, settings.job_ttl_seconds, settings.job_lease_seconds, settings.job_max_attempts,
                   settings.job_dispatch_grace_seconds)

    @staticmethod
    def _job_key(job_id: str) -> str:
        return f"job:{job_id}"

    @staticmethod
    def _lang_key(job_id: str, lang: str) -> str:
        return f"job:{job_id}:lang:{lang}"

    @staticmethod
    def _indexes(request: JobRequest) -> list[str]:
        return ["jobs:all"] + ([f"jobs:tenant:{request.tenant}"] if request.tenant else [])

    def create(self, request: JobRequest | dict) -> str:
        """Write the whole job in one transaction: it exists completely or not at all."""
        if isinstance(request, dict):
            request = record.request_from_dict(request)
        job_id = secrets.token_urlsafe(18)
        created = now()
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self._job_key(job_id), mapping=record.new_job_fields(request, job_id, created))
        pipe.expire(self._job_key(job_id), self.ttl_seconds)
        for lang in request.target_langs:
            key = self._lang_key(job_id, lang)
            pipe.hset(key, mapping=record.new_language_fields(created))
            pipe.expire(key, self.ttl_seconds)
            pipe.zadd(_active("languages", QUEUED), {f"{job_id}:{lang}": created})
            pipe.zadd(LEASES_KEY, {lease_member(job_id, lang): created + self.dispatch_grace_seconds})
        pipe.zadd(_active("jobs", QUEUED), {job_id: created})
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
            pipe.delete(self._job_key(job_id), *(self._lang_key(job_id, lang) for lang in langs))
            pipe.zrem(LEASES_KEY, *(lease_member(job_id, lang) for lang in langs))
            for index in self._indexes(request):
                pipe.zrem(index, job_id)
            for state in ACTIVE:
                pipe.zrem(_active("jobs", state), job_id)
                pipe.zrem(_active("languages", state), *(f"{job_id}:{lang}" for lang in langs))
            pipe.execute()

    def created_at(self, job_id: str) -> float | None:
        raw = self.redis.hget(self._job_key(job_id), "created_at")
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
        raw = self.redis.hget(self._job_key(job_id), "request")
        if raw is None:
            raise JobNotFound(job_id)
        return record.load_request(raw)

    def language(self, job_id: str, lang: str) -> LanguageRecord:
        raw = self.redis.hgetall(self._lang_key(job_id, lang))
        if not raw:
            raise JobNotFound(job_id)
        return record.load_language(raw)

    # -- worker side: leases -------------------------------------------------

    def _transition(self, job_id: str, lang: str, allowed_from: set[str], fields: dict,
                    publish: tuple[str, int, str] | None = None) -> bool:
        """Set fields only if the language is currently in one of `allowed_from`
        (the API cancelling queued languages; a worker writes through the lease
        scripts); with `publish` (external_id, revision, tenant), publish the
        revision in the same transaction (see `publish`)."""
        key = self._lang_key(job_id, lang)
        job_key = self._job_key(job_id)
        article_key = f"{self._article(publish[2], publish[0])}:{lang}" if publish else None

        def apply(pipe: redis.client.Pipeline) -> bool:
            state = pipe.hget(key, "state")
            cancelled = pipe.hget(job_key, "cancelled")
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

        watched = (key, job_key, article_key) if publish else (key, job_key)
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
            pipe.zrem(_active("languages", old), member)
        if new in ACTIVE:
            pipe.zadd(_active("languages", new), {member: now()})
        if new == RUNNING:  # the job runs as soon as one of its languages does
            pipe.zrem(_active("jobs", QUEUED), job_id)
            pipe.zadd(_active("jobs", RUNNING), {job_id: now()}, nx=True)

    def _settle(self, job_id: str) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for state in ACTIVE:
            pipe.zrem(_active("jobs", state), job_id)
        pipe.execute()

    def active_counts(self) -> dict:
        """Unfinished jobs and languages by state, and when the oldest queued
        language was submitted (None if none is queued). Entries of jobs that
        expired unfinished are pruned here."""
        horizon = now() - self.ttl_seconds
        pipe = self.redis.pipeline(transaction=False)
        for kind in ("jobs", "languages"):
            for state in ACTIVE:
                pipe.zremrangebyscore(_active(kind, state), "-inf", horizon)
                pipe.zcard(_active(kind, state))
        pipe.zrange(_active("languages", QUEUED), 0, 0, withscores=True)
        *counts, oldest = pipe.execute()
        cards = counts[1::2]
        return {"jobs": {QUEUED: cards[0], RUNNING: cards[1]},
                "languages": {QUEUED: cards[2], RUNNING: cards[3]},
                "oldest_queued_at": oldest[0][1] if oldest else None}

    def worker_heartbeat(self, worker: str) -> None:
        self.redis.zadd(HEARTBEATS, {worker: now()})

    def worker_heartbeats(self, forget_after: float = 24 * 3600) -> dict[str, float]:
        """Last heartbeat per worker; workers silent for a day are forgotten."""
        self.redis.zremrangebyscore(HEARTBEATS, "-inf", now() - forget_after)
        return {name.decode(): at for name, at in self.redis.zrange(HEARTBEATS, 0, -1, withscores=True)}

    def _script(self, script, job_id: str, lang: str, *args, article_key: str | None = None):
        """Run a lease script (jobs/lease_scripts.py) with its fixed keys and first arguments."""
        keys = [self._lang_key(job_id, lang), self._job_key(job_id), LEASES_KEY, OUTBOX_KEY,
                _active("languages", QUEUED), _active("languages", RUNNING),
                _active("jobs", QUEUED), _active("jobs", RUNNING), article_key or self._lang_key(job_id, lang)]
        return script(keys=keys, args=[lease_member(job_id, lang), f"{job_id}:{lang}", job_id, *args])

    def _ended(self, job_id: str) -> None:
        """A language just ended: if it was the job's last, the job leaves the active sets."""
        if self.all_finished(job_id):
            self._settle(job_id)

    def claim(self, job_id: str, lang: str, time_limit: int = 0) -> Claim:
        """Take the language with a fresh lease, if it is queued or its last
        holder's lease ran out (that worker died: the work is redone, never
        merged). A delivery that finds a live lease is a duplicate: `busy`."""
        holder = secrets.token_hex(8)
        outcome, attempts = self._script(self._claim, job_id, lang, holder, self.lease_seconds, self.max_attempts,
                                         int(time_limit), exhausted_reason(self.max_attempts))
        outcome = outcome.decode()
        if outcome == "missing":
            raise JobNotFound(job_id)
        if outcome in ("cancelled", "exhausted"):  # ended by this claim
            self._ended(job_id)
        return Claim(outcome, int(attempts), holder if outcome == "claimed" else "")

    def renew(self, job_id: str, lang: str, holder: str) -> bool:
        """Extend the lease; False if it was lost (taken over, or the language ended)."""
        return self._script(self._renew, job_id, lang, holder, self.lease_seconds) == b"ok"

    def _write_as(self, job_id: str, lang: str, holder: str, state: str, fields: dict,
                  publish: tuple[str, int, str] | None = None) -> bool:
        article_key = f"{self._article(publish[2], publish[0])}:{lang}" if publish else None
        args = [holder, state, publish[1] if publish else 0]
        for name, value in fields.items():
            args += [name, value]
        written = bool(self._script(self._write, job_id, lang, *args, article_key=article_key))
        if written and state in TERMINAL:
            self._ended(job_id)
        return written

    def progress(self, job_id: str, lang: str, holder: str, done: int, total: int) -> bool:
        return self._write_as(job_id, lang, holder, RUNNING, {"done": done, "total": total})

    def succeed(self, job_id: str, lang: str, holder: str, result: dict, report: dict | None, stats: dict,
                publish: tuple[str, int, str] | None = None) -> bool:
        """Store the result (only the lease holder can). With `publish`
        (external_id, revision, tenant) the same script publishes the revision,
        so whoever sees the language succeeded finds the article published too."""
        return self._write_as(job_id, lang, holder, SUCCEEDED, record.success_fields(result, report, stats), publish)

    def fail(self, job_id: str, lang: str, holder: str, error: str) -> bool:
        return self._write_as(job_id, lang, holder, FAILED, {"error": error})

    def due(self, limit: int = 500) -> list[tuple[str, str]]:
        """Open languages whose lease or dispatch deadline has passed, by Redis's clock."""
        seconds, micros = self.redis.time()
        members = self.redis.zrangebyscore(LEASES_KEY, "-inf", seconds + micros / 1e6, start=0, num=limit)
        return [tuple(m.decode().rsplit("/", 1)) for m in members]

    def sweep(self, job_id: str, lang: str) -> str:
        """Decide about one due language (see lease_scripts.SWEEP)."""
        outcome = self._script(self._sweep, job_id, lang, self.max_attempts, exhausted_reason(self.max_attempts),
                               self.dispatch_grace_seconds).decode()
        if outcome in ("cancelled", "failed"):
            self._ended(job_id)
        return outcome

    def unsettled(self, older_than: float, limit: int = 500) -> list[tuple[str, str]]:
        """Ended languages whose follow-up has not been confirmed for `older_than` seconds."""
        seconds, micros = self.redis.time()
        members = self.redis.zrangebyscore(OUTBOX_KEY, "-inf", seconds + micros / 1e6 - older_than, start=0,
                                           num=limit)
        return [tuple(m.decode().rsplit("/", 1)) for m in members]

    def settled(self, job_id: str, lang: str) -> None:
        self.redis.zrem(OUTBOX_KEY, lease_member(job_id, lang))

    def release_event(self, job_id: str, event_id: str) -> None:
        """Undo `claim_event` after the event could not be sent, so a retry sends it."""
        self.redis.delete(f"job:{job_id}:event:{event_id}")

    def redispatched(self, job_id: str, lang: str) -> None:
        """A queued language's task was sent again: look at it after another grace period."""
        seconds, micros = self.redis.time()
        self.redis.zadd(LEASES_KEY, {lease_member(job_id, lang): seconds + micros / 1e6 + self.dispatch_grace_seconds},
                        xx=True)

    def result(self, job_id: str, lang: str) -> dict | None:
        return record.load_result(self.redis.hget(self._lang_key(job_id, lang), "result"))

    def all_finished(self, job_id: str) -> bool:
        return all(language.terminal for language in self.job(job_id).languages.values())

    def claim_event(self, job_id: str, event_id: str) -> bool:
        """True exactly once per event: two workers finishing the last two
        languages at the same moment must not both announce the job's end."""
        return bool(self.redis.set(f"job:{job_id}:event:{event_id}", 1, nx=True, ex=self.ttl_seconds))

    def record_delivery(self, job_id: str, event_id: str, delivery: dict) -> None:
        key = f"job:{job_id}:deliveries"
        self.redis.hset(key, event_id, json.dumps(delivery))
        self.redis.expire(key, self.ttl_seconds)

    def deliveries(self, job_id: str) -> list[dict]:
        raw = self.redis.hgetall(f"job:{job_id}:deliveries")
        return sorted((json.loads(v) for v in raw.values()), key=lambda d: d.get("created_at", 0))

    # -- articles keyed by the CMS's external_id, per tenant ----------------------

    @staticmethod
    def _article(tenant: str, external_id: str) -> str:
        # Tenants match conventions.ID (no ':'), so two tenants' keys never collide.
        return f"article:{tenant}:{external_id}" if tenant else f"article:{external_id}"

    def next_revision(self, external_id: str, tenant: str = "") -> int:
        return int(self.redis.incr(f"{self._article(tenant, external_id)}:revisions"))

    def publish(self, external_id: str, lang: str, revision: int, job_id: str, tenant: str = "") -> bool:
        """Make this revision the published one, unless a newer revision already is
        (revisions can finish out of order on different workers)."""
        key = f"{self._article(tenant, external_id)}:{lang}"

        def apply(pipe: redis.client.Pipeline) -> bool:
            current = pipe.hget(key, "revision")
            if current is not None and int(current) > revision:
                return False
            pipe.multi()
            pipe.hset(key, mapping={"revision": revision, "job_id": job_id, "published_at": now()})
            return True

        return self.redis.transaction(apply, key, value_from_callable=True)

    def published(self, external_id: str, lang: str, tenant: str = "") -> dict | None:
        raw = self.redis.hgetall(f"{self._article(tenant, external_id)}:{lang}")
        if not raw:
            return None
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return {"revision": int(data["revision"]), "job_id": data["job_id"], "published_at": iso(data["published_at"])}

    def cancel(self, job_id: str) -> list[str]:
        """Cancel the languages that have not started; returns them."""
        request = self.request(job_id)
        self.redis.hset(self._job_key(job_id), "cancelled", 1)
        cancelled = []
        for lang in request.target_langs:
            if self._transition(job_id, lang, {QUEUED}, {"state": CANCELLED, "finished_at": now()}):
                cancelled.append(lang)
        return cancelled
