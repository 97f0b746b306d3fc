"""A job language from queue to result: claim it, translate, store the result.

Everything a task needs, wired once per worker process; no Celery here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import redis

from checks.translated import CheckPolicy
from glossary.enforcement import DEFAULT_SCHEME
from glossary.matching import TermMatcher
from glossary.store import GlossaryStore
from jobs import links
from jobs.leases import Heartbeat, LeaseLost
from translation.documents import DocumentError
from translation.engines import Router, UnsupportedPair
from jobs.store import JobNotFound, JobStore
from translation.article import Article, translate_article
from translation.limits import LimitExceeded, SegmentBudget, SegmentLimits, token_counter
from telemetry import logs

log = logging.getLogger(__name__)

# Compiled term matchers kept per worker process, keyed by glossary versions.
_MATCHERS_KEPT = 64


@dataclass(frozen=True)
class LanguageOutcome:
    """What one finished language did, for metrics (see `Pipeline.observe`)."""

    job_id: str
    source: str
    target: str
    engine: str
    state: str                      # succeeded | failed
    seconds: float                  # from claim to stored result
    latency_seconds: float | None   # from submission to stored result
    segments: int = 0
    segments_translated: int = 0
    cache_hits: int = 0
    glossary: dict | None = None    # the glossary report
    checks: dict | None = None      # the checks' report (checks/)


def engine_name(route: list[dict]) -> str:
    """The engine(s) of a route, e.g. "argos" (pivots through two models of one engine)."""
    return "+".join(dict.fromkeys(model.get("engine", "argos") for model in route)) or "none"


@dataclass
class Pipeline:
    router: Router
    jobs: JobStore
    glossaries: GlossaryStore
    # Sends a webhook event for a job (a Celery task in production).
    notify: Callable[[str, dict], None] | None = None
    placeholders: str = DEFAULT_SCHEME  # glossary placeholder scheme (GLOSSARY_PLACEHOLDERS)
    # Told about every language that finished here (metrics in production).
    observe: Callable[[LanguageOutcome], None] | None = None
    # Raised into the task when it runs past its soft time limit (Celery's
    # SoftTimeLimitExceeded, set by the worker runtime; no Celery import here).
    time_limit_errors: tuple[type[BaseException], ...] = ()
    limits: SegmentLimits = field(default_factory=SegmentLimits)
    checks: CheckPolicy = field(default_factory=CheckPolicy)
    _matchers: dict = field(default_factory=dict)
    heartbeat: Heartbeat = field(init=False)

    def __post_init__(self):
        self.heartbeat = Heartbeat(self.jobs)

    def run(self, job_id: str, lang: str) -> str:
        try:
            request = self.jobs.request(job_id)
            claim = self.jobs.claim(job_id, lang, time_limit=(request.get("time_limits") or {}).get("hard", 0))
        except JobNotFound:
            return "expired"
        if claim.outcome in ("exhausted", "cancelled"):  # ended by this claim
            self.settle_quietly(job_id, lang)
        if not claim.claimed:
            # busy: a duplicate delivery while another worker holds the lease;
            # finished or cancelled: nothing left to do.
            return claim.outcome
        with self.heartbeat.hold(job_id, lang, claim.holder):
            return self._translate(job_id, lang, claim.holder, request)

    def _translate(self, job_id: str, lang: str, holder: str, request: dict) -> str:
        def on_progress(done: int, total: int) -> None:
            self.heartbeat.check(job_id, lang)
            self.jobs.progress(job_id, lang, holder, done, total)

        started = time.monotonic()
        source = request["source_lang"]
        try:
            engine = engine_name(self.router.describe_route(source, lang))
        except UnsupportedPair:
            engine = "none"
        logs.bind(engine=engine, source_lang=source)
        log.info("translating %s -> %s", source, lang)
        outcome = lambda state, **extra: LanguageOutcome(  # noqa: E731
            job_id, source, lang, engine, state, time.monotonic() - started, self._latency(job_id), **extra)
        try:
            result = translate_article(
                self.router,
                Article(**request["article"]),
                request["source_lang"],
                lang,
                self.matcher(request),
                on_progress=on_progress,
                placeholders=self.placeholders,
                budget=self.budget(request["source_lang"], lang),
            )
        except LeaseLost:
            log.warning("job %s language %s was taken over by another worker; dropping this run", job_id, lang)
            return "lost"
        except self.time_limit_errors:
            limit = (request.get("time_limits") or {}).get("soft")
            log.warning("language failed: over its time limit of %s s", limit)
            return self._finish_failed(job_id, lang, holder, request,
                                       f"exceeded its time limit of {limit} s (derived from the article size)", outcome)
        except (UnsupportedPair, DocumentError, LimitExceeded) as error:
            log.warning("language failed: %s", error)
            return self._finish_failed(job_id, lang, holder, request, str(error), outcome)
        except redis.RedisError:
            # Not the article's fault: leave the language to its lease, which runs
            # out and puts it back in the queue once Redis answers again.
            log.exception("job %s language %s interrupted by Redis", job_id, lang)
            raise
        except Exception as error:  # keep the job truthful; the traceback goes to the worker log
            log.exception("job %s language %s failed", job_id, lang)
            return self._finish_failed(job_id, lang, holder, request, f"internal error: {type(error).__name__}",
                                       outcome)
        checks = self._check(result, source, lang, request)
        stored = self.jobs.succeed(
            job_id,
            lang,
            holder,
            {
                "title": result.title,
                "body": result.body,
                "format": request["article"]["format"],
                "model": self.router.describe_route(request["source_lang"], lang),
                **({"checks": checks} if checks is not None else {}),
            },
            result.report.to_dict(),
            {"segments": result.segments, "model_calls": result.stats.model_calls,
             "segments_translated": result.stats.segments_translated, "cache_hits": result.stats.cache_hits},
            publish=self._publication(request),
        )
        if not stored:
            return "skipped"
        done = outcome("succeeded", segments=result.segments, segments_translated=result.stats.segments_translated,
                       cache_hits=result.stats.cache_hits, glossary=result.report.to_dict(), checks=checks)
        log.info("translated %d segments (%d from the cache) in %.3f s", done.segments, done.cache_hits, done.seconds,
                 extra={"duration_s": round(done.seconds, 3), "segments": done.segments,
                        "segments_translated": done.segments_translated, "cache_hits": done.cache_hits})
        if self.observe:
            self.observe(done)
        self.settle_quietly(job_id, lang)
        return "succeeded"

    def _check(self, result, source: str, lang: str, request: dict) -> dict | None:
        """The checks' report; a check that breaks costs the editor its flags, never the translation."""
        try:
            return self.checks.report(result.translated, source, lang, self.router, request)
        except Exception:  # noqa: BLE001
            log.exception("checks failed on job %s language %s; stored without them", request.get("id", "?"), lang)
            return None

    @staticmethod
    def _publication(request: dict) -> tuple[str, int, str] | None:
        """A revision of a CMS article is published with its result, in one transaction."""
        if not request.get("external_id"):
            return None
        return request["external_id"], request["revision"], (request.get("owner") or {}).get("tenant", "")

    def _latency(self, job_id: str) -> float | None:
        created = self.jobs.created_at(job_id)
        return time.time() - created if created else None

    def _finish_failed(self, job_id: str, lang: str, holder: str, request: dict, error: str, outcome=None) -> str:
        if self.jobs.fail(job_id, lang, holder, error):
            if self.observe and outcome:
                self.observe(outcome("failed"))
            self.settle_quietly(job_id, lang)
        return "failed"

    def settle_quietly(self, job_id: str, lang: str) -> None:
        """`settle` right after the end; if it fails, the sweeper settles the language later."""
        try:
            self.settle(job_id, lang)
        except Exception:
            log.exception("follow-up of job %s language %s failed; the sweeper will retry it", job_id, lang)

    def settle(self, job_id: str, lang: str) -> None:
        """What follows the end of a language, done at least once: its webhook
        events. The script that ended the language put it in the store's outbox
        (and published a succeeded revision in the same step); this clears the
        entry once the events are sent. Events carry ids, so sending one twice
        is harmless to a receiver that dedupes."""
        try:
            request = self.jobs.request(job_id)
            language = self.jobs.language(job_id, lang)
        except JobNotFound:
            self.jobs.settled(job_id, lang)
            return
        extra = {"error": language["error"]} if language.get("error") else {}
        self._announce(job_id, lang, request, language["state"], **extra)
        self.jobs.settled(job_id, lang)

    def _announce(self, job_id: str, lang: str, request: dict, state: str, **extra) -> None:
        """Webhook events: one per finished language, one when the whole job is done."""
        if not (self.notify and request.get("callback_url")):
            return
        common = {"job_id": job_id, "external_id": request.get("external_id"), "revision": request.get("revision")}
        self.notify(job_id, {
            "id": f"{job_id}.{lang}.{state}", "type": f"translation.{state}", **common, "lang": lang,
            "links": {"job": links.job(job_id), "translation": links.translation(job_id, lang)},
            **extra,
        })
        if self.jobs.all_finished(job_id) and self.jobs.claim_event(job_id, "job.finished"):
            try:
                status = self.jobs.status(job_id)
                self.notify(job_id, {
                    "id": f"{job_id}.finished", "type": "job.finished", **common, "state": status["state"],
                    "languages": {code: s["state"] for code, s in status["languages"].items()},
                    "links": {"job": links.job(job_id)},
                })
            except Exception:
                self.jobs.release_event(job_id, "job.finished")  # whoever settles this language again sends it
                raise

    def budget(self, source: str, target: str) -> SegmentBudget:
        """Segment limits as the first model of the route counts tokens."""
        first = self.router.route(source, target)[0]
        return SegmentBudget(self.limits.max_chars, self.limits.max_tokens, token_counter(first))

    def matcher(self, request: dict) -> TermMatcher | None:
        """The job's glossaries at the versions recorded when it was submitted."""
        used = request.get("glossaries") or []
        if not used:
            return None
        key = tuple((g["id"], g["version"]) for g in used)
        if key not in self._matchers:
            glossaries = [
                self.glossaries.get_version(g["id"], g["version"]) if g["id"] != "inline"
                else self.glossaries.inline(request["glossary"], request["source_lang"])
                for g in used
            ]
            if len(self._matchers) >= _MATCHERS_KEPT:
                self._matchers.pop(next(iter(self._matchers)))  # the oldest
            self._matchers[key] = TermMatcher.from_glossaries(glossaries)
        return self._matchers[key]
