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
from editorial.memory import TranslationMemory
from editorial.review import ON_COMPLETION
from editorial.reuse import Reuse
from editorial.segments import MACHINE, new_draft
from editorial.store import CarriedEdits, Drafts
from glossary.enforcement import DEFAULT_SCHEME
from glossary.matching import TermMatcher
from glossary.store import GlossaryStore
from jobs import links
from jobs.leases import Heartbeat, LeaseLost
from jobs.matchers import TermMatchers, route_budget
from translation.documents import DocumentError
from translation.engines import Router, UnsupportedPair
from jobs.record import JobRequest
from jobs.replication import Replication
from jobs.store import JobNotFound, JobStore
from translation.article import Article, translate_article
from translation.limits import LimitExceeded, SegmentBudget, SegmentLimits
from telemetry import logs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguageOutcome:
    """What one finished language did, for metrics (see `Pipeline.observe`)."""

    job_id: str
    source: str
    target: str
    engine: str
    state: str  # succeeded | failed
    seconds: float  # from claim to stored result
    latency_seconds: float | None  # from submission to stored result
    segments: int = 0
    segments_translated: int = 0
    cache_hits: int = 0
    glossary: dict | None = None  # the glossary report
    checks: dict | None = None  # the checks' report (checks/)


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
    # Outcomes are announced only once a replica holds them (REDIS_ACK_REPLICAS;
    # jobs/replication.py): a failover must not take back what a CMS was told.
    replication: Replication | None = None
    heartbeat: Heartbeat = field(init=False)
    matchers: TermMatchers = field(init=False)
    memory: TranslationMemory = field(init=False)
    drafts: Drafts = field(init=False)
    carried: CarriedEdits = field(init=False)

    def __post_init__(self):
        self.heartbeat = Heartbeat(self.jobs)
        self.matchers = TermMatchers(self.glossaries)
        self.memory = TranslationMemory(self.jobs.redis)
        self.drafts = Drafts(self.jobs.redis, self.jobs.ttl_seconds)
        self.carried = CarriedEdits(self.jobs.redis)

    def run(self, job_id: str, lang: str) -> str:
        try:
            request = self.jobs.request(job_id)
            claim = self.jobs.leases.claim(job_id, lang, time_limit=(request.time_limits or {}).get("hard", 0))
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

    def _translate(self, job_id: str, lang: str, holder: str, request: JobRequest) -> str:
        def on_progress(done: int, total: int) -> None:
            self.heartbeat.check(job_id, lang)
            self.jobs.leases.progress(job_id, lang, holder, done, total)

        started = time.monotonic()
        source = request.source_lang
        try:
            engine = engine_name(self.router.describe_route(source, lang))
        except UnsupportedPair:
            engine = "none"
        logs.bind(engine=engine, source_lang=source)
        log.info("translating %s -> %s", source, lang)
        outcome = lambda state, **extra: LanguageOutcome(  # noqa: E731
            job_id, source, lang, engine, state, time.monotonic() - started, self._latency(job_id), **extra
        )
        # The editors' corrections of this article and the tenant's memory come before the model.
        reuse = Reuse(self.memory, self.carried, request.tenant, source, lang, request.external_id)
        try:
            result = translate_article(
                # Each tenant's own segment cache: no cache hit tells one tenant what another translated.
                self.router.for_tenant(request.owner.tenant if request.owner else None),
                Article(request.article.title, request.article.body, request.article.format),
                source,
                lang,
                self.matcher(request),
                on_progress=on_progress,
                placeholders=self.placeholders,
                budget=self.budget(source, lang),
                reuse=reuse,
            )
        except LeaseLost:
            log.warning("job %s language %s was taken over by another worker; dropping this run", job_id, lang)
            return "lost"
        except self.time_limit_errors:
            limit = (request.time_limits or {}).get("soft")
            log.warning("language failed: over its time limit of %s s", limit)
            return self._finish_failed(
                job_id,
                lang,
                holder,
                request,
                f"exceeded its time limit of {limit} s (derived from the article size)",
                outcome,
            )
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
            return self._finish_failed(
                job_id, lang, holder, request, f"internal error: {type(error).__name__}", outcome
            )
        checks = self._check(job_id, result, source, lang, request)
        route = self.router.describe_route(source, lang)
        machine = {"kind": MACHINE, "engine": engine, "models": route, "glossaries": list(request.glossaries)}
        self.drafts.save(
            job_id,
            lang,
            new_draft(
                result.plan,
                result.translations,
                [
                    {**machine, **reuse.provenance[i]}
                    if "memory_rejected" in reuse.provenance.get(i, {})
                    else reuse.provenance.get(i, machine)
                    for i in range(len(result.plan))
                ],
            ),
        )
        stored = self.jobs.leases.succeed(
            job_id,
            lang,
            holder,
            {
                "title": result.title,
                "body": result.body,
                "format": request.article.format,
                "model": route,
                **({"checks": checks} if checks is not None else {}),
            },
            result.report.to_dict(),
            {
                "segments": result.segments,
                "model_calls": result.stats.model_calls,
                "segments_translated": result.stats.segments_translated,
                "cache_hits": result.stats.cache_hits,
                **{name: count for name, count in reuse.counts.items() if count},
            },  # only when the memory was used
            # A job that waits for approval publishes its revision when a reviewer approves (editorial/review.py).
            publish=request.publication() if request.publish == ON_COMPLETION else None,
        )
        if not stored:
            return "skipped"
        done = outcome(
            "succeeded",
            segments=result.segments,
            segments_translated=result.stats.segments_translated,
            cache_hits=result.stats.cache_hits,
            glossary=result.report.to_dict(),
            checks=checks,
        )
        log.info(
            "translated %d segments (%d from the cache) in %.3f s",
            done.segments,
            done.cache_hits,
            done.seconds,
            extra={
                "duration_s": round(done.seconds, 3),
                "segments": done.segments,
                "segments_translated": done.segments_translated,
                "cache_hits": done.cache_hits,
            },
        )
        if self.observe:
            self.observe(done)
        self.settle_quietly(job_id, lang)
        return "succeeded"

    def _check(self, job_id: str, result, source: str, lang: str, request: JobRequest) -> dict | None:
        """The checks' report; a check that breaks costs the editor its flags, never the translation."""
        try:
            return self.checks.report(result.translated, source, lang, self.router, request)
        except Exception:  # any check's bug: the translation stands
            log.exception("checks failed on job %s language %s; stored without them", job_id, lang)
            return None

    def _latency(self, job_id: str) -> float | None:
        created = self.jobs.created_at(job_id)
        return time.time() - created if created else None

    def _finish_failed(self, job_id: str, lang: str, holder: str, request: JobRequest, error: str, outcome=None) -> str:
        if self.jobs.leases.fail(job_id, lang, holder, error):
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
            self.jobs.outbox.settled(job_id, lang)
            return
        if self.replication is not None:
            self.replication.confirm()  # NotReplicated: the outbox keeps it; the sweeper settles it later
        extra = {"error": language.error} if language.error else {}
        self._announce(job_id, lang, request, language.state, **extra)
        self.jobs.outbox.settled(job_id, lang)

    def _announce(self, job_id: str, lang: str, request: JobRequest, state: str, **extra) -> None:
        """Webhook events: one per finished language, one when the whole job is done."""
        if not (self.notify and request.callback_url):
            return
        # A job that waits for approval announces its translation as translation.approved.
        state_event = not (state == "succeeded" and request.publish != ON_COMPLETION)
        common = {"job_id": job_id, "external_id": request.external_id, "revision": request.revision}
        if state_event:
            self.notify(
                job_id,
                {
                    "id": f"{job_id}.{lang}.{state}",
                    "type": f"translation.{state}",
                    **common,
                    "lang": lang,
                    "links": {"job": links.job(job_id), "translation": links.translation(job_id, lang)},
                    **extra,
                },
            )
        if self.jobs.all_finished(job_id) and self.jobs.webhooks.claim_event(job_id, "job.finished"):
            try:
                job = self.jobs.job(job_id)
                self.notify(
                    job_id,
                    {
                        "id": f"{job_id}.finished",
                        "type": "job.finished",
                        **common,
                        "state": str(job.state),
                        "languages": {code: str(language.state) for code, language in job.languages.items()},
                        "links": {"job": links.job(job_id)},
                    },
                )
            except Exception:
                self.jobs.webhooks.release_event(job_id, "job.finished")  # whoever settles this language again sends it
                raise

    def budget(self, source: str, target: str) -> SegmentBudget:
        return route_budget(self.router, self.limits, source, target)

    def matcher(self, request: JobRequest) -> TermMatcher | None:
        """The job's glossaries at the versions recorded when it was submitted."""
        return self.matchers.pinned(request.glossaries, request.glossary, request.source_lang)
