"""Keeping a language's lease alive, and putting abandoned languages back.

Design (see the README, "Failures and what a client sees"):

- `Heartbeat`: while a worker process translates a language, a background
  thread renews its lease every third of the lease period. CTranslate2
  releases the GIL while it decodes, so the thread keeps beating through a
  long model call. A process that dies (SIGKILL, OOM, a hard time limit, or
  Celery cancelling its task when the broker connection drops) stops beating,
  and its lease runs out `lease_seconds` later.
- `Sweeper`: every `interval` seconds one worker process (whichever takes a
  short Redis lock first) looks at the languages whose lease or dispatch
  deadline has passed: a language whose holder is gone is queued again with a
  new task, up to `max_attempts`, then failed with the reason; a cancelled
  job's language is cancelled. The sweep runs inside the workers rather than
  in Celery beat: nothing more to deploy or supervise, it survives the death
  of any worker, and the lock (plus the atomic scripts) makes concurrent
  sweeps harmless. With no worker alive nothing could run anyway; the first
  worker to come back sweeps.
  The sweep also settles ended languages whose follow-up (publishing the
  article revision, webhook events) was not confirmed: their worker died or
  lost Redis right after storing the result.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from jobs.store import JobStore

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = "sweeper:lock"


class LeaseLost(Exception):
    """Another worker took the language over (this one was presumed dead)."""


@dataclass
class Heartbeat:
    jobs: JobStore
    _held: dict = field(default_factory=dict)  # (job_id, lang) -> holder
    _lost: set = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        return max(0.5, self.jobs.lease_seconds / 3)

    @contextmanager
    def hold(self, job_id: str, lang: str, holder: str):
        """Renew this lease in the background for the duration of the block."""
        self._ensure_thread()
        key = (job_id, lang)
        with self._lock:
            self._held[key] = holder
            self._lost.discard(key)
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(key, None)
                self._lost.discard(key)

    def check(self, job_id: str, lang: str) -> None:
        """Raise LeaseLost if a renewal found the lease taken over."""
        with self._lock:
            if (job_id, lang) in self._lost:
                raise LeaseLost(f"{job_id}/{lang}")

    def _ensure_thread(self) -> None:
        # Started lazily in the process that runs tasks: threads do not survive a fork.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                held = dict(self._held)
            delay = self.interval
            for (job_id, lang), holder in held.items():
                try:
                    if not self.jobs.leases.renew(job_id, lang, holder):
                        with self._lock:
                            if self._held.get((job_id, lang)) == holder:
                                self._lost.add((job_id, lang))
                except Exception as error:  # Redis unreachable: keep trying, sooner
                    log.warning("lease renewal for %s/%s failed: %s", job_id, lang, error)
                    delay = 1.0
            threading.Event().wait(delay)


@dataclass
class Sweeper:
    jobs: JobStore
    dispatch: Callable[[str, str], None]  # send the language's task (again)
    queue_length: Callable[[], int]  # translation messages waiting in the broker
    settle: Callable[[str, str], None] | None = None  # publish and announce an ended language
    interval: float = 10.0
    # How long an ended language may stay unsettled before the sweeper settles it
    # (its own worker normally does it at once); default three intervals, at least 5 s.
    settle_after: float | None = None
    _thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        """One sweep, if no other process swept in the last interval; counts per outcome."""
        token = secrets.token_hex(8)
        if not self.jobs.redis.set(SWEEP_LOCK_KEY, token, nx=True, px=max(100, int(self.interval * 900))):
            return {}
        counts: dict[str, int] = {}
        waiting: int | None = None
        for job_id, lang in self.jobs.leases.due():
            outcome = self.jobs.leases.sweep(job_id, lang)
            if outcome == "requeue":
                log.warning("language %s/%s lost its worker; queued again", job_id, lang)
                self.dispatch(job_id, lang)
            elif outcome == "queued":
                # Its task message should be waiting in the queue; if the queue is
                # empty, the message was lost (a worker died between taking it and
                # claiming the language): send it again. A duplicate is harmless,
                # the claim lets only one run.
                if waiting is None:
                    waiting = self.queue_length()
                if waiting == 0:
                    log.warning("language %s/%s queued without a task message; sending it again", job_id, lang)
                    self.dispatch(job_id, lang)
                    outcome = "redispatched"
                self.jobs.leases.redispatched(job_id, lang)
            elif outcome in ("failed", "cancelled"):
                log.warning("language %s/%s %s by the sweeper", job_id, lang, outcome)
                if self.settle:
                    self.settle(job_id, lang)
            counts[outcome] = counts.get(outcome, 0) + 1
        # Ended a while ago and still unsettled: its worker did not get to it.
        after = self.settle_after if self.settle_after is not None else max(5.0, 3 * self.interval)
        for job_id, lang in self.jobs.outbox.unsettled(older_than=after) if self.settle else ():
            self.settle(job_id, lang)
            counts["settled"] = counts.get("settled", 0) + 1
        return counts

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="lease-sweeper", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        pause = threading.Event()
        while True:
            # Jitter spreads the processes' attempts on the lock.
            pause.wait(self.interval * random.uniform(0.8, 1.2))
            try:
                self.run_once()
            except Exception as error:  # Redis or the broker unreachable: try again next time
                log.warning("lease sweep failed: %s", error)
