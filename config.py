"""All configuration, in one place: environment variables with documented defaults.

Every process (API, worker, CLI, tests) builds a `Settings` from the environment
with `Settings.from_env()`; nothing else reads `os.environ` for configuration.
The README's "Configuration" table mirrors this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name}={raw!r} is not an integer")


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name}={raw!r} is not a number")


def _str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip()


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"configuration error: {name}={raw!r} is not a boolean (1/0, true/false)")


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _str(name, default).lower()
    if value not in allowed:
        raise SystemExit(f"configuration error: {name}={value!r}; use one of {', '.join(allowed)}")
    return value


def _list(name: str, default: str = "") -> tuple[str, ...]:
    return tuple(item.strip() for item in _str(name, default).split(",") if item.strip())


# An HMAC key must be long enough that nobody guesses it: shorter values are
# placeholders ("change-me") or typos, and are refused at start.
MIN_WEBHOOK_SECRET_LENGTH = 32


def _secret(name: str, minimum: int) -> str:
    value = _str(name, "")
    if value and len(value) < minimum:
        raise SystemExit(f"configuration error: {name} has {len(value)} characters; use at least {minimum} "
                         f"random ones (e.g. `openssl rand -hex 32`), or leave it empty to disable what it protects")
    return value


def _default_inter_threads(concurrency: int, intra_threads: int) -> int:
    # Each worker process gets an equal share of the cores, explicitly:
    # CTranslate2's intra_threads=0 means "all cores" per process, which
    # oversubscribes the CPU with several processes (argos-translate PR #528).
    # The share goes to replicas (inter_threads, one batch each, sharing the
    # model's weights) rather than to threads inside one batch: on a batch the
    # memory budget keeps small, one thread per batch wastes no time waiting
    # for the other (README, "Performance").
    return max(1, (os.cpu_count() or 1) // (max(1, concurrency) * max(1, intra_threads)))


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Where installed Argos packages live (argostranslate reads the same variable).
    argos_packages_dir: str = ""

    # Engines, in order of preference (translation/engines)
    engines: tuple[str, ...] = ("argos", "bergamot")
    beam_size: int = 4
    compute_type: str = "auto"
    worker_concurrency: int = 1
    # CTranslate2 threads per batch, and batches decoded at once per process
    # (replicas sharing the weights); the bergamot engine keeps intra x inter
    # segments in flight. Defaults: 1 x (cores / WORKER_CONCURRENCY).
    intra_threads: int = 1
    inter_threads: int = 1
    # Hypothesis tokens (source tokens x beam) in flight per model, across its
    # replicas: bounds the worker's decoding memory, about 48 KB each on a
    # transformer-base model (README, "Memory"); 4096 = 1024 source tokens at
    # beam 4, two batches of 512 on 2 replicas.
    max_batch_tokens: int = 4096
    pivot_lang: str = "en"
    preload_models: bool = True

    # Longest output of one segment; by default twice the longest input, plus a margin.
    max_decoding_length: int = 2 * 256 + 8

    # Celery reliability
    visibility_timeout: int = 300
    # How long /readyz waits for workers to say which queues they consume; a
    # readiness probe's own timeout must be longer.
    ready_check_timeout_seconds: float = 1.0
    prefetch_multiplier: int = 1
    max_tasks_per_child: int = 0

    # Leases: a language's worker renews its lease; the sweeper requeues or fails expired ones
    job_lease_seconds: int = 30
    job_sweep_interval_seconds: int = 10
    job_max_attempts: int = 5
    job_dispatch_grace_seconds: int = 60
    task_time_limit_base_seconds: int = 60
    task_seconds_per_1000_chars: int = 20

    # API limits
    max_body_bytes: int = 1024 * 1024
    max_target_langs: int = 10
    max_json_depth: int = 32
    max_segment_chars: int = 1000
    max_segment_tokens: int = 256
    max_segments_per_article: int = 5000
    job_ttl_seconds: int = 7 * 24 * 3600
    segment_cache_ttl_seconds: int = 30 * 24 * 3600

    # Glossaries
    glossary_placeholders: str = "names"  # glossary.enforcement.SCHEMES: names | codes
    max_glossaries: int = 1000
    max_glossary_entries: int = 5000
    max_term_length: int = 200

    # Access control (API keys; see access/)
    auth_disabled: bool = False
    # Per-key defaults, in the `limits` notation ("600/minute"); "unlimited" turns one off.
    rate_limit: str = "600/minute"
    char_quota: str = "1000000/day"
    audit_entries_per_key: int = 1000

    # Webhooks
    webhook_secret: str = ""
    webhook_allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    webhook_max_attempts: int = 5
    webhook_backoff_seconds: int = 2

    # Console (web pages under /console)
    console_secret_key: str = ""          # empty: one made at first start, shared through Redis
    console_session_ttl_seconds: int = 8 * 3600

    # Operations
    metrics_token: str = ""            # bearer token for /metrics; empty: /metrics refused
    metrics_multiproc_dir: str = ""    # prometheus-client's multiprocess folder (gunicorn, Celery's pool)
    worker_metrics_port: int = 0       # a worker's own /metrics port (0: none; the API reads the shared folder)
    # Proxies in front of the API that set X-Forwarded-For/-Proto/-Host (the
    # launcher's nginx: 1); 0 trusts no such header, as when clients reach gunicorn.
    proxy_hops: int = 0
    log_level: str = "INFO"
    log_format: str = "json"           # json (one object per line) or text

    # The interactive path (DeepL /v2/translate, LibreTranslate /translate, detection):
    # its own queue and worker process, so short requests never wait behind articles.
    # Niceness of the article worker's processes: short requests go first on shared cores.
    worker_nice: int = 10
    interactive_timeout_seconds: float = 8.0  # below the deepl client's 10 s, after which it re-sends
    interactive_concurrency: int = 16         # requests in flight in the interactive worker (threads)
    interactive_batching: bool = True         # off: one model call per request, as LibreTranslate does
    interactive_batch_window_ms: float = 5.0  # how long a batch waits for more requests once one arrives
    interactive_batch_max_segments: int = 64
    interactive_max_chars: int = 5000         # per short request: longer texts belong in a job or document

    # Language detection (lingua), in the interactive worker
    detect_languages: tuple[str, ...] = field(default_factory=tuple)  # empty: every language of the models
    detect_min_confidence: float = 0.6
    detect_min_share: float = 0.5

    @property
    def translation_threads(self) -> int:
        """The cores one worker process translates on: intra x inter threads."""
        return max(1, self.intra_threads) * max(1, self.inter_threads)

    @classmethod
    def from_env(cls) -> "Settings":
        concurrency = _int("WORKER_CONCURRENCY", 1)
        intra_threads = _int("TRANSLATE_INTRA_THREADS", cls.intra_threads)
        return cls(
            redis_url=_str("REDIS_URL", cls.redis_url),
            argos_packages_dir=_str("ARGOS_PACKAGES_DIR", ""),
            engines=_list("TRANSLATE_ENGINES", ",".join(cls.engines)),
            beam_size=_int("TRANSLATE_BEAM_SIZE", cls.beam_size),
            compute_type=_str("TRANSLATE_COMPUTE_TYPE", cls.compute_type),
            worker_concurrency=concurrency,
            intra_threads=intra_threads,
            inter_threads=_int("TRANSLATE_INTER_THREADS", _default_inter_threads(concurrency, intra_threads)),
            max_batch_tokens=_int("TRANSLATE_MAX_BATCH_TOKENS", cls.max_batch_tokens),
            pivot_lang=_str("TRANSLATE_PIVOT_LANG", cls.pivot_lang),
            max_decoding_length=_int("TRANSLATE_MAX_DECODING_LENGTH",
                                     2 * _int("MAX_SEGMENT_TOKENS", cls.max_segment_tokens) + 8),
            preload_models=_str("WORKER_PRELOAD_MODELS", "1") not in ("0", "false", "no"),
            visibility_timeout=_int("CELERY_VISIBILITY_TIMEOUT", cls.visibility_timeout),
            ready_check_timeout_seconds=_float("READY_CHECK_TIMEOUT_SECONDS", cls.ready_check_timeout_seconds),
            prefetch_multiplier=_int("WORKER_PREFETCH_MULTIPLIER", cls.prefetch_multiplier),
            max_tasks_per_child=_int("WORKER_MAX_TASKS_PER_CHILD", cls.max_tasks_per_child),
            job_lease_seconds=_int("JOB_LEASE_SECONDS", cls.job_lease_seconds),
            job_sweep_interval_seconds=_int("JOB_SWEEP_INTERVAL_SECONDS", cls.job_sweep_interval_seconds),
            job_max_attempts=_int("JOB_MAX_ATTEMPTS", cls.job_max_attempts),
            job_dispatch_grace_seconds=_int("JOB_DISPATCH_GRACE_SECONDS", cls.job_dispatch_grace_seconds),
            task_time_limit_base_seconds=_int("TASK_TIME_LIMIT_BASE_SECONDS", cls.task_time_limit_base_seconds),
            task_seconds_per_1000_chars=_int("TASK_SECONDS_PER_1000_CHARS", cls.task_seconds_per_1000_chars),
            max_body_bytes=_int("MAX_BODY_BYTES", cls.max_body_bytes),
            max_target_langs=_int("MAX_TARGET_LANGS", cls.max_target_langs),
            max_json_depth=_int("MAX_JSON_DEPTH", cls.max_json_depth),
            max_segment_chars=_int("MAX_SEGMENT_CHARS", cls.max_segment_chars),
            max_segment_tokens=_int("MAX_SEGMENT_TOKENS", cls.max_segment_tokens),
            max_segments_per_article=_int("MAX_SEGMENTS_PER_ARTICLE", cls.max_segments_per_article),
            job_ttl_seconds=_int("JOB_TTL_SECONDS", cls.job_ttl_seconds),
            segment_cache_ttl_seconds=_int("SEGMENT_CACHE_TTL_SECONDS", cls.segment_cache_ttl_seconds),
            glossary_placeholders=_str("GLOSSARY_PLACEHOLDERS", cls.glossary_placeholders),
            max_glossaries=_int("MAX_GLOSSARIES", cls.max_glossaries),
            max_glossary_entries=_int("MAX_GLOSSARY_ENTRIES", cls.max_glossary_entries),
            max_term_length=_int("MAX_TERM_LENGTH", cls.max_term_length),
            auth_disabled=_bool("AUTH_DISABLED", cls.auth_disabled),
            rate_limit=_str("RATE_LIMIT", cls.rate_limit),
            char_quota=_str("CHAR_QUOTA", cls.char_quota),
            audit_entries_per_key=_int("AUDIT_ENTRIES_PER_KEY", cls.audit_entries_per_key),
            webhook_secret=_secret("WEBHOOK_SECRET", MIN_WEBHOOK_SECRET_LENGTH),
            webhook_allowed_hosts=_list("WEBHOOK_ALLOWED_HOSTS"),
            webhook_max_attempts=_int("WEBHOOK_MAX_ATTEMPTS", cls.webhook_max_attempts),
            webhook_backoff_seconds=_int("WEBHOOK_BACKOFF_SECONDS", cls.webhook_backoff_seconds),
            console_secret_key=_str("CONSOLE_SECRET_KEY", ""),
            console_session_ttl_seconds=_int("CONSOLE_SESSION_TTL_SECONDS", cls.console_session_ttl_seconds),
            metrics_token=_secret("METRICS_TOKEN", 16),
            # prometheus-client reads this variable itself, under this name, at import.
            metrics_multiproc_dir=_str("PROMETHEUS_MULTIPROC_DIR", ""),
            worker_metrics_port=_int("WORKER_METRICS_PORT", cls.worker_metrics_port),
            proxy_hops=_int("PROXY_HOPS", cls.proxy_hops),
            log_level=_str("LOG_LEVEL", cls.log_level).upper(),
            log_format=_choice("LOG_FORMAT", cls.log_format, ("json", "text")),
            worker_nice=_int("WORKER_NICE", cls.worker_nice),
            interactive_timeout_seconds=_float("INTERACTIVE_TIMEOUT_SECONDS", cls.interactive_timeout_seconds),
            interactive_concurrency=_int("INTERACTIVE_CONCURRENCY", cls.interactive_concurrency),
            interactive_batching=_bool("INTERACTIVE_BATCHING", cls.interactive_batching),
            interactive_batch_window_ms=_float("INTERACTIVE_BATCH_WINDOW_MS", cls.interactive_batch_window_ms),
            interactive_batch_max_segments=_int("INTERACTIVE_BATCH_MAX_SEGMENTS", cls.interactive_batch_max_segments),
            interactive_max_chars=_int("INTERACTIVE_MAX_CHARS", cls.interactive_max_chars),
            detect_languages=_list("DETECT_LANGUAGES"),
            detect_min_confidence=_float("DETECT_MIN_CONFIDENCE", cls.detect_min_confidence),
            detect_min_share=_float("DETECT_MIN_SHARE", cls.detect_min_share),
        )
