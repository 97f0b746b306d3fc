"""Prometheus metrics: what the processes count, and what is read from Redis
when /metrics is scraped.

Counters and histograms live in the process that observes them: the API's
gunicorn workers (requests) and Celery's pool processes (translations,
webhooks). With PROMETHEUS_MULTIPROC_DIR set before prometheus_client is
imported, each process writes its values to files in that folder and one
`MultiProcessCollector` sums them, so a scrape of any API process sees all of
them: gunicorn's and, on one host, the workers' too (they share the folder).
A worker on another host serves the same from its own port
(WORKER_METRICS_PORT). State that is global (queue depth, jobs and languages by
state, worker heartbeats, Redis memory) is read from Redis at scrape time by
`RedisStateCollector`, a handful of O(1) commands.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "exposition", "registry", "serve_worker_metrics", "mark_process_dead"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_TRANSLATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
_PAIR = ["engine", "source", "target"]

HTTP_REQUEST_SECONDS = Histogram(
    "newsroom_http_request_duration_seconds",
    "API request latency, per route template, method and status.",
    ["method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
LANGUAGES_FINISHED = Counter(
    "newsroom_languages_finished_total",
    "Job languages that reached a final state (succeeded, failed, cancelled).",
    _PAIR + ["state"],
)
TRANSLATION_SECONDS = Histogram(
    "newsroom_translation_duration_seconds",
    "Worker time for one language of one article (claim to stored result), per engine and pair.",
    _PAIR,
    buckets=_TRANSLATION_BUCKETS,
)
LANGUAGE_LATENCY_SECONDS = Histogram(
    "newsroom_language_latency_seconds",
    "From submission to a finished language (queueing included), per pair.",
    _PAIR,
    buckets=_TRANSLATION_BUCKETS,
)
SEGMENTS = Counter("newsroom_segments_total", "Segments (sentences) of translated languages.", _PAIR)
# Model inputs are sentences, or the pieces between glossary terms when a
# sentence was translated around them (split), once per hop of a pivot route.
MODEL_SEGMENTS = Counter("newsroom_model_segments_total", "Model inputs sent to a model (segment cache misses).", _PAIR)
CACHE_HITS = Counter("newsroom_segment_cache_hits_total", "Model inputs answered by the segment cache.", _PAIR)
GLOSSARY_OCCURRENCES = Counter(
    "newsroom_glossary_occurrences_total",
    "Glossary term occurrences in source texts, by how they were placed: mask, split, or failed.",
    ["target", "method"],
)
CHECKED_SEGMENTS = Counter(
    "newsroom_checked_segments_total", "Translated segments run through the checks (checks/).", ["target"]
)
FLAGGED_SEGMENTS = Counter(
    "newsroom_flagged_segments_total",
    "Translated segments a check flagged (a segment flagged by two checks counts once for each), per check.",
    ["target", "check"],
)
CHECK_FINDINGS = Counter(
    "newsroom_check_findings_total",
    "Findings of the checks, per check, code and severity.",
    ["target", "check", "code", "severity"],
)
BACK_TRANSLATED_SEGMENTS = Counter(
    "newsroom_back_translated_segments_total",
    "Translated segments the checks translated back with the reverse model to confirm a finding"
    " (CHECKS_BACK_TRANSLATE): the model time the checks cost.",
    ["target"],
)
WEBHOOK_DELIVERIES = Counter(
    "newsroom_webhook_deliveries_total",
    "Webhook delivery attempts by outcome: delivered, retrying, failed (last attempt), refused (unsafe URL).",
    ["outcome"],
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def registry(*collectors: Collector) -> CollectorRegistry:
    """What one scrape reports: every process's values, plus `collectors`."""
    if multiprocess_dir():
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
    else:  # one process (tests, `flask run`): its own values
        scrape = CollectorRegistry()
        scrape.register(_Forward(REGISTRY))
    for collector in collectors:
        scrape.register(collector)
    return scrape


def exposition(*collectors: Collector) -> bytes:
    return generate_latest(registry(*collectors))


def mark_process_dead(pid: int) -> None:
    """A gunicorn worker or pool process exited: its live gauges stop counting."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def serve_worker_metrics(port: int, addr: str = "0.0.0.0") -> None:
    """A worker's own /metrics (for workers on hosts other than the API's)."""
    start_http_server(port, addr=addr, registry=registry())


class _Forward(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        return self._source.collect()


# -- what the domain reports -------------------------------------------------------


def record_language(outcome: Any) -> None:
    """One finished language (jobs.pipeline.LanguageOutcome)."""
    pair = (outcome.engine, outcome.source, outcome.target)
    LANGUAGES_FINISHED.labels(*pair, outcome.state).inc()
    if outcome.latency_seconds is not None:
        LANGUAGE_LATENCY_SECONDS.labels(*pair).observe(outcome.latency_seconds)
    if outcome.state != "succeeded":
        return
    TRANSLATION_SECONDS.labels(*pair).observe(outcome.seconds)
    SEGMENTS.labels(*pair).inc(outcome.segments)
    MODEL_SEGMENTS.labels(*pair).inc(outcome.segments_translated)
    CACHE_HITS.labels(*pair).inc(outcome.cache_hits)
    for term in (outcome.glossary or {}).get("terms", []):
        for method, count in term.get("methods", {}).items():
            GLOSSARY_OCCURRENCES.labels(outcome.target, method).inc(count)
        if term.get("failed"):
            GLOSSARY_OCCURRENCES.labels(outcome.target, "failed").inc(term["failed"])
    record_checks(outcome.target, outcome.checks)


def record_checks(target: str, report: dict[str, Any] | None) -> None:
    """The checks' report of one language (checks.Report.to_dict)."""
    if not report:
        return
    CHECKED_SEGMENTS.labels(target).inc(report["segments"])
    BACK_TRANSLATED_SEGMENTS.labels(target).inc(report.get("back_translated", 0))  # reports stored before: none
    for check, count in report["by_check"].items():
        if count:
            FLAGGED_SEGMENTS.labels(target, check).inc(count)
    for segment in report["flagged_segments"]:
        for finding in segment["findings"]:
            CHECK_FINDINGS.labels(target, finding["check"], finding["code"], finding["severity"]).inc()


def record_cancelled(source: str, targets: list[str]) -> None:
    for target in targets:
        LANGUAGES_FINISHED.labels("none", source, target, "cancelled").inc()


def record_webhook(outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(outcome).inc()


# -- read from Redis at scrape time --------------------------------------------------


class RedisStateCollector(Collector):
    """Queue depth, jobs and languages by state, worker heartbeats, Redis memory.

    `jobs` is a jobs.store.JobStore; `queues` the Celery queue names. A scrape
    while Redis is down reports newsroom_redis_up 0 instead of failing.
    """

    def __init__(self, jobs: Any, queues: tuple[str, ...], heartbeat_seconds: float) -> None:
        self.jobs, self.queues, self.heartbeat_seconds = jobs, queues, heartbeat_seconds

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("newsroom_redis_up", "1 if Redis answered this scrape.")
        try:
            families = list(self._families())
        except Exception:  # any Redis failure: say so, keep the rest of the scrape
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Metric]:
        client = self.jobs.redis
        pipe = client.pipeline(transaction=False)
        for queue in self.queues:
            pipe.llen(queue)
        pipe.hlen("unacked")  # kombu's Redis transport: messages a worker has taken, not yet acknowledged
        pipe.info("memory")
        *depths, unacked, memory = pipe.execute()
        depth = GaugeMetricFamily("newsroom_queue_depth", "Tasks waiting in a Celery queue (LLEN).", labels=["queue"])
        for queue, value in zip(self.queues, depths):
            depth.add_metric([queue], value)
        yield depth
        yield GaugeMetricFamily(
            "newsroom_queue_unacked", "Tasks taken by workers and not yet acknowledged.", value=unacked
        )
        yield GaugeMetricFamily("newsroom_redis_used_memory_bytes", "Redis used_memory.", value=memory["used_memory"])
        yield GaugeMetricFamily(
            "newsroom_redis_maxmemory_bytes", "Redis maxmemory (0: unlimited).", value=memory.get("maxmemory", 0)
        )

        active = self.jobs.active_counts()
        jobs = GaugeMetricFamily("newsroom_jobs", "Jobs not finished yet, by state.", labels=["state"])
        languages = GaugeMetricFamily(
            "newsroom_languages", "Job languages not finished yet, by state.", labels=["state"]
        )
        for state in ("queued", "running"):
            jobs.add_metric([state], active["jobs"][state])
            languages.add_metric([state], active["languages"][state])
        yield jobs
        yield languages
        oldest = active["oldest_queued_at"]
        yield GaugeMetricFamily(
            "newsroom_oldest_queued_language_age_seconds",
            "How long the longest-waiting queued language has waited (0: none waiting).",
            value=max(0.0, time.time() - oldest) if oldest else 0.0,
        )

        beats = self.jobs.heartbeats.last()
        heartbeat = GaugeMetricFamily(
            "newsroom_worker_heartbeat_timestamp_seconds",
            "Last heartbeat of each worker (Unix time).",
            labels=["worker"],
        )
        for name, at in sorted(beats.items()):
            heartbeat.add_metric([name], at)
        yield heartbeat
        alive = sum(time.time() - at < 3 * self.heartbeat_seconds for at in beats.values())
        yield GaugeMetricFamily(
            "newsroom_workers_alive", "Workers with a heartbeat in the last three intervals.", value=alive
        )
