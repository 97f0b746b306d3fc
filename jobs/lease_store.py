"""A language's lease, from claim to end: the worker side of the job store.

A worker claims a language with a lease (`claim`) that a heartbeat renews
while it works (`renew`, jobs/leases.Heartbeat); only the lease holder may
write progress and the result (`progress`, `succeed`, `fail`). A language whose
lease ran out (its worker was killed, or lost Redis) is put back in the queue
by the sweeper (`due`, `sweep`, jobs/leases.Sweeper), at most `max_attempts`
times, then failed with the reason; a cancelled job's language is cancelled
instead. Each step is one Lua script (jobs/lease_scripts.py) judged by Redis's
clock; the language's fields are those of jobs/record.LanguageRecord.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobs import lease_scripts, record
from jobs.keys import LEASES_KEY, OUTBOX_KEY, active_key, job_key, lang_key, lease_member, parse_member
from jobs import publication
from jobs.record import TERMINAL, JobNotFound, State

if TYPE_CHECKING:
    from jobs.store import JobStore

QUEUED, RUNNING, SUCCEEDED, FAILED = State.QUEUED, State.RUNNING, State.SUCCEEDED, State.FAILED


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


def exhausted_reason(max_attempts: int) -> str:
    return (
        f"gave up after {max_attempts} attempts: the worker running it stopped each time "
        f"(killed, out of memory, or cut off from Redis); see JOB_MAX_ATTEMPTS"
    )


class Leases:
    def __init__(self, jobs: "JobStore"):
        self.jobs = jobs  # its settings (lease_seconds, max_attempts, dispatch_grace_seconds) and indexes
        client = jobs.redis
        self._claim = client.register_script(lease_scripts.CLAIM)
        self._renew = client.register_script(lease_scripts.RENEW)
        self._write = client.register_script(lease_scripts.WRITE)
        self._sweep = client.register_script(lease_scripts.SWEEP)

    def _script(self, script, job_id: str, lang: str, *args, article_key: str | None = None):
        """Run a lease script (jobs/lease_scripts.py) with its fixed keys and first arguments."""
        keys = [
            lang_key(job_id, lang),
            job_key(job_id),
            LEASES_KEY,
            OUTBOX_KEY,
            active_key("languages", QUEUED),
            active_key("languages", RUNNING),
            active_key("jobs", QUEUED),
            active_key("jobs", RUNNING),
            article_key or lang_key(job_id, lang),
        ]
        return script(keys=keys, args=[lease_member(job_id, lang), f"{job_id}:{lang}", job_id, *args])

    def claim(self, job_id: str, lang: str, time_limit: int = 0) -> Claim:
        """Take the language with a fresh lease, if it is queued or its last
        holder's lease ran out (that worker died: the work is redone, never
        merged). A delivery that finds a live lease is a duplicate: `busy`."""
        holder = secrets.token_hex(8)
        jobs = self.jobs
        outcome, attempts = self._script(
            self._claim,
            job_id,
            lang,
            holder,
            jobs.lease_seconds,
            jobs.max_attempts,
            int(time_limit),
            exhausted_reason(jobs.max_attempts),
        )
        outcome = outcome.decode()
        if outcome == "missing":
            raise JobNotFound(job_id)
        if outcome in ("cancelled", "exhausted"):  # ended by this claim
            self.jobs.ended(job_id)
        return Claim(outcome, int(attempts), holder if outcome == "claimed" else "")

    def renew(self, job_id: str, lang: str, holder: str) -> bool:
        """Extend the lease; False if it was lost (taken over, or the language ended)."""
        return self._script(self._renew, job_id, lang, holder, self.jobs.lease_seconds) == b"ok"

    def _write_as(
        self, job_id: str, lang: str, holder: str, state: str, fields: dict, publish: tuple[str, int, str] | None = None
    ) -> bool:
        article_key = f"{publication.article_key(publish[2], publish[0])}:{lang}" if publish else None
        args = [holder, state, publish[1] if publish else 0]
        for name, value in fields.items():
            args += [name, value]
        written = bool(self._script(self._write, job_id, lang, *args, article_key=article_key))
        if written and state in TERMINAL:
            self.jobs.ended(job_id)
        return written

    def progress(self, job_id: str, lang: str, holder: str, done: int, total: int) -> bool:
        return self._write_as(job_id, lang, holder, RUNNING, {"done": done, "total": total})

    def succeed(
        self,
        job_id: str,
        lang: str,
        holder: str,
        result: dict,
        report: dict | None,
        stats: dict,
        publish: tuple[str, int, str] | None = None,
    ) -> bool:
        """Store the result (only the lease holder can). With `publish`
        (external_id, revision, tenant) the same script publishes the revision,
        so whoever sees the language succeeded finds the article published too."""
        return self._write_as(job_id, lang, holder, SUCCEEDED, record.success_fields(result, report, stats), publish)

    def fail(self, job_id: str, lang: str, holder: str, error: str) -> bool:
        return self._write_as(job_id, lang, holder, FAILED, {"error": error})

    def due(self, limit: int = 500) -> list[tuple[str, str]]:
        """Open languages whose lease or dispatch deadline has passed, by Redis's clock."""
        seconds, micros = self.jobs.redis.time()
        members = self.jobs.redis.zrangebyscore(LEASES_KEY, "-inf", seconds + micros / 1e6, start=0, num=limit)
        return [parse_member(m) for m in members]

    def sweep(self, job_id: str, lang: str) -> str:
        """Decide about one due language (see lease_scripts.SWEEP)."""
        jobs = self.jobs
        outcome = self._script(
            self._sweep,
            job_id,
            lang,
            jobs.max_attempts,
            exhausted_reason(jobs.max_attempts),
            jobs.dispatch_grace_seconds,
        ).decode()
        if outcome in ("cancelled", "failed"):
            self.jobs.ended(job_id)
        return outcome

    def redispatched(self, job_id: str, lang: str) -> None:
        """A queued language's task was sent again: look at it after another grace period."""
        seconds, micros = self.jobs.redis.time()
        deadline = seconds + micros / 1e6 + self.jobs.dispatch_grace_seconds
        self.jobs.redis.zadd(LEASES_KEY, {lease_member(job_id, lang): deadline}, xx=True)
