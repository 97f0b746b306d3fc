"""All configuration, in one place: environment variables with documented defaults.

Every process (API, worker, CLI, tests) builds a `Settings` from the environment
with `Settings.from_env()`; nothing else reads `os.environ` for configuration.
Each setting is declared once, below: its attribute, type, environment
variable, default and meaning. The type chooses the parser (one per type);
docs/configuration.md is generated from the declarations (`make docs`), and a
test checks that it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigurationError(SystemExit):
    """A setting the process cannot run with: it stops at start, saying which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(f"configuration error: {message}")


# One parser per type, by the annotation's text (this module postpones annotations).
def _parse_str(name: str, raw: str) -> str:
    return raw


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None


def _parse_float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from None


TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _parse_bool(name: str, raw: str) -> bool:
    # Strict both ways: a typo ("flase", "disabled") stops the process instead
    # of silently meaning one or the other.
    value = raw.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean: use one of {', '.join(TRUE + FALSE)}")


def _parse_list(name: str, raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


PARSERS: dict[str, Callable[[str, str], Any]] = {
    "str": _parse_str,
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
    "tuple[str, ...]": _parse_list,
}

# An HMAC key must be long enough that nobody guesses it: shorter values are
# placeholders ("change-me") or typos, and are refused at start.
MIN_WEBHOOK_SECRET_LENGTH = 32


def setting(
    env: str,
    default: T,
    doc: str,
    *,
    shown: str | None = None,
    derive: Callable[[Mapping[str, Any]], T] | None = None,
    choices: tuple[str, ...] = (),
    min_length: int = 0,
    normalize: Callable[[str], str] | None = None,
) -> T:
    """Declare one setting: `env` is its variable, `default` its value when the
    variable is unset or empty, `doc` its line in the reference.

    shown: the default as the reference prints it, where the value alone says
    too little (who else sets it, what empty means). derive: a default computed
    from the settings read before it (declaration order). choices, min_length,
    normalize: checks and a normal form for a string.
    """
    meta = {
        "env": env,
        "doc": doc,
        "shown": shown,
        "derive": derive,
        "choices": choices,
        "min_length": min_length,
        "normalize": normalize,
    }
    result: T = field(default=default, metadata=meta)
    return result


def _default_api_workers(values: Mapping[str, Any]) -> int:
    # The shared layout is the one chosen for memory: one API process there.
    return 1 if values["worker_serves_interactive"] else 2


def _default_api_threads(values: Mapping[str, Any]) -> int:
    # One process keeps the 16 threads two processes had.
    return 16 if int(values["api_workers"]) == 1 else 8


def _default_detect_preload(values: Mapping[str, Any]) -> bool:
    # The shared layout is the one chosen for memory: the detector loads on first use there.
    return not values["worker_serves_interactive"]


def _default_inter_threads(values: Mapping[str, Any]) -> int:
    # Each worker process gets an equal share of the cores, explicitly:
    # CTranslate2's intra_threads=0 means "all cores" per process, which
    # oversubscribes the CPU with several processes (argos-translate PR #528).
    # The share goes to replicas (inter_threads, one batch each, sharing the
    # model's weights) rather than to threads inside one batch: on a batch the
    # memory budget keeps small, one thread per batch wastes no time waiting
    # for the other (docs/performance.md).
    concurrency, intra = int(values["worker_concurrency"]), int(values["intra_threads"])
    return max(1, (os.cpu_count() or 1) // (max(1, concurrency) * max(1, intra)))


def _default_decoding_length(values: Mapping[str, Any]) -> int:
    # Twice the longest input, plus a margin: a looping model stops there.
    return 2 * int(values["max_segment_tokens"]) + 8


@dataclass(frozen=True)
class Settings:
    redis_url: str = setting(
        "REDIS_URL",
        "redis://127.0.0.1:6379/0",
        "broker, job state, glossaries, segment cache",
        shown="`redis://127.0.0.1:6379/0` (scripts: port 6399)",
    )
    # High availability (docs/ha.md): with sentinels named, every client asks
    # them for the primary and follows a failover; REDIS_URL then gives only
    # the password and the database number (its host and port are ignored).
    redis_sentinels: tuple[str, ...] = setting(
        "REDIS_SENTINELS",
        (),
        "`host:port` of each Redis Sentinel, comma-separated: every client (API, workers, broker) finds the "
        "primary through them and follows a failover; `REDIS_URL` then gives only the password and database "
        "([high availability](ha.md))",
        shown="empty: Redis at `REDIS_URL` (`make up HA=1`: three sentinels)",
    )
    redis_master_name: str = setting(
        "REDIS_MASTER_NAME", "newsroom", "the name the sentinels monitor the primary under"
    )
    # Writes a client is told succeeded wait until this many replicas have
    # them (WAIT), so a failover cannot lose them (service/replication.py).
    redis_ack_replicas: int = setting(
        "REDIS_ACK_REPLICAS",
        0,
        "replicas that must have every write of a successful POST/PUT/PATCH/DELETE before the API answers (Redis "
        "`WAIT`; 503 if they do not within `REDIS_ACK_TIMEOUT_MS`); workers wait likewise before a language's "
        "outcome is announced",
        shown="`0` (`make up HA=1`: `1`)",
    )
    redis_ack_timeout_ms: int = setting(
        "REDIS_ACK_TIMEOUT_MS",
        2000,
        "how long a write waits for `REDIS_ACK_REPLICAS` replicas before the request gets a 503",
    )
    # Where installed Argos packages live (argostranslate reads the same variable).
    argos_packages_dir: str = setting(
        "ARGOS_PACKAGES_DIR",
        "",
        "installed Argos packages; API and workers must see the same set",
        shown="argostranslate's default (scripts: `var/argos-packages`)",
    )

    # Engines, in order of preference (translation/engines)
    engines: tuple[str, ...] = setting(
        "TRANSLATE_ENGINES",
        ("argos", "bergamot"),
        "engines in use, in order of preference: where two serve a pair, the first wins (Argos wherever it has "
        "one); drop one to disable it",
    )
    beam_size: int = setting(
        "TRANSLATE_BEAM_SIZE", 4, "beam size (Argos's default; the bergamot engine decodes greedily)"
    )
    compute_type: str = setting("TRANSLATE_COMPUTE_TYPE", "auto", "CTranslate2 compute type (`int8`, `float32`, …)")
    worker_concurrency: int = setting("WORKER_CONCURRENCY", 1, "worker processes per Celery worker")
    # CTranslate2 threads per batch, and batches decoded at once per process
    # (replicas sharing the weights); the bergamot engine keeps intra x inter
    # segments in flight. Defaults: 1 x (cores / WORKER_CONCURRENCY).
    intra_threads: int = setting(
        "TRANSLATE_INTRA_THREADS",
        1,
        'CTranslate2 threads per batch; never 0 (0 means "all cores" in every process, which oversubscribes)',
    )
    inter_threads: int = setting(
        "TRANSLATE_INTER_THREADS",
        1,
        "CTranslate2 replicas per process, each decoding one batch; they share the model's weights. "
        "The bergamot engine keeps intra × inter segments in flight",
        shown="cores ÷ (`WORKER_CONCURRENCY` × `TRANSLATE_INTRA_THREADS`)",
        derive=_default_inter_threads,
    )
    # Hypothesis tokens (source tokens x beam) in flight per model, across its
    # replicas: bounds the worker's decoding memory, about 48 KB each on a
    # transformer-base model (docs/performance.md, "Memory"); 4096 = 1024
    # source tokens at beam 4, two batches of 512 on 2 replicas.
    max_batch_tokens: int = setting(
        "TRANSLATE_MAX_BATCH_TOKENS",
        4096,
        "hypothesis tokens (source tokens × beam size) of one model batch: a worker's decoding memory is about "
        "48 KB × this on a transformer-base model, over the loaded model "
        "([Memory](performance.md#memory))",
    )
    pivot_lang: str = setting("TRANSLATE_PIVOT_LANG", "en", "pivot language for pairs without a direct model")
    preload_models: bool = setting("WORKER_PRELOAD_MODELS", True, "load every model when a worker process starts")
    # Each worker process holds its own copy of what it loaded: with many
    # language pairs, models x processes. A budget keeps each process to the
    # models its traffic uses, least recently used dropped first.
    model_memory_budget_mb: int = setting(
        "MODEL_MEMORY_BUDGET",
        0,
        "MB of models (their files' size) one worker process keeps loaded: beyond it the least recently used model "
        "is dropped and loaded again on its next use (0: no bound; "
        "[Many language pairs](performance.md#many-language-pairs))",
    )

    # Longest output of one segment; by default twice the longest input, plus a margin.
    max_decoding_length: int = setting(
        "TRANSLATE_MAX_DECODING_LENGTH",
        2 * 256 + 8,
        "longest output of one segment, in tokens (argos engine); a looping model stops there",
        shown="2 × `MAX_SEGMENT_TOKENS` + 8",
        derive=_default_decoding_length,
    )

    # Celery reliability
    visibility_timeout: int = setting(
        "CELERY_VISIBILITY_TIMEOUT",
        300,
        "seconds before an unacknowledged message (a worker vanished or lost Redis) is delivered again; leases "
        "do the fast recovery, so it may be shorter than a task; keep it above the longest webhook backoff",
    )
    # How long /readyz waits for workers to say which queues they consume; a
    # readiness probe's own timeout must be longer.
    ready_check_timeout_seconds: float = setting(
        "READY_CHECK_TIMEOUT_SECONDS",
        1.0,
        "how long `/readyz` waits for workers to report their queues; a readiness probe's timeout must be longer",
    )
    prefetch_multiplier: int = setting("WORKER_PREFETCH_MULTIPLIER", 1, "Celery prefetch per process")
    max_tasks_per_child: int = setting(
        "WORKER_MAX_TASKS_PER_CHILD", 0, "recycle pool processes after N tasks", shown="`0` (never recycle)"
    )

    # Leases: a language's worker renews its lease; the sweeper requeues or fails expired ones
    job_lease_seconds: int = setting(
        "JOB_LEASE_SECONDS",
        30,
        "a running language's lease; its worker renews it every third of that; a lost worker's language is "
        "queued again once it runs out",
    )
    job_sweep_interval_seconds: int = setting(
        "JOB_SWEEP_INTERVAL_SECONDS",
        10,
        "how often one worker looks for run-out leases and languages whose task message was lost",
    )
    job_max_attempts: int = setting(
        "JOB_MAX_ATTEMPTS", 5, "times a language may be started before it is failed with the reason"
    )
    job_dispatch_grace_seconds: int = setting(
        "JOB_DISPATCH_GRACE_SECONDS",
        60,
        "how long a queued language may wait unclaimed before the sweeper checks that its task message still exists",
    )
    task_time_limit_base_seconds: int = setting(
        "TASK_TIME_LIMIT_BASE_SECONDS",
        60,
        "a language's soft time limit: this base + `TASK_SECONDS_PER_1000_CHARS` per 1,000 characters × model "
        "hops; the hard limit is 10 % (at least 30 s) later",
    )
    task_seconds_per_1000_chars: int = setting(
        "TASK_SECONDS_PER_1000_CHARS",
        20,
        "a language's soft time limit per 1,000 characters and model hop (see `TASK_TIME_LIMIT_BASE_SECONDS`)",
    )

    # API limits
    max_body_bytes: int = setting("MAX_BODY_BYTES", 1024 * 1024, "request size limit (413 above)")
    max_target_langs: int = setting("MAX_TARGET_LANGS", 10, "target languages per job")
    max_json_depth: int = setting("MAX_JSON_DEPTH", 32, "nesting of arrays and objects in a JSON body (400 above)")
    max_segment_chars: int = setting(
        "MAX_SEGMENT_CHARS",
        1000,
        "longest segment the model gets, in characters; longer sentences are split, unsplittable runs refused (422)",
    )
    max_segment_tokens: int = setting(
        "MAX_SEGMENT_TOKENS",
        256,
        "longest segment the model gets, in its tokens; longer sentences are split, unsplittable runs refused (422)",
    )
    max_segments_per_article: int = setting(
        "MAX_SEGMENTS_PER_ARTICLE",
        5000,
        "sentences per article, counted at submission as paragraphs + sentence-ending marks (422 above)",
    )
    job_ttl_seconds: int = setting("JOB_TTL_SECONDS", 7 * 24 * 3600, "how long jobs and results are kept")
    memory_fuzzy_threshold: float = setting(
        "MEMORY_FUZZY_THRESHOLD",
        75.0,
        "lowest similarity (0-100, rapidfuzz ratio) of a translation-memory entry offered as a suggestion in review",
    )
    segment_cache_ttl_seconds: int = setting(
        "SEGMENT_CACHE_TTL_SECONDS", 30 * 24 * 3600, "how long cached segment translations are kept"
    )

    # Glossaries
    glossary_placeholders: str = setting(
        "GLOSSARY_PLACEHOLDERS",
        "names",  # glossary.enforcement.SCHEMES: names | codes
        "what stands for a glossary term while the model translates: `names` or `codes` "
        "(see [Glossary placeholders](api.md#how-glossary-terms-are-enforced-design-note))",
    )
    max_glossaries: int = setting("MAX_GLOSSARIES", 1000, "glossaries per tenant")
    max_glossary_entries: int = setting(
        "MAX_GLOSSARY_ENTRIES",
        20_000,
        "entries per glossary (DeepL accepts 10,000 and more); a worker compiles a glossary version's matcher "
        "once, in 1-2 s per 10,000 terms (measured)",
    )
    max_term_length: int = setting(
        "MAX_TERM_LENGTH", 200, "characters per glossary term (also each variant and each rendering)"
    )

    # Access control (API keys; see access/)
    auth_disabled: bool = setting(
        "AUTH_DISABLED",
        False,
        "`1`: no API keys, every request acts as an admin (local experiments only; logged as a warning)",
    )
    # Per-key defaults, in the `limits` notation ("600/minute"); "unlimited" turns one off.
    rate_limit: str = setting(
        "RATE_LIMIT", "600/minute", "requests per key, unless the key has its own (`limits` notation, or `unlimited`)"
    )
    char_quota: str = setting(
        "CHAR_QUOTA",
        "1000000/day",
        "characters submitted for translation per key (article × target languages), unless the key has its own",
    )
    audit_entries_per_key: int = setting("AUDIT_ENTRIES_PER_KEY", 1000, "recent actions kept per key")

    # Webhooks
    webhook_secret: str = setting(
        "WEBHOOK_SECRET",
        "",
        "master secret of webhook signatures: each tenant's secret (for keys without their own) and each key's "
        "own are derived from it (docs/security.md); at least 32 characters "
        "(shorter values, such as placeholders, stop the process at start); empty: jobs with a `callback_url` "
        "from keys without their own secret are refused (422)",
        shown="empty (scripts: generated into `var/secrets/`)",
        min_length=MIN_WEBHOOK_SECRET_LENGTH,
    )
    webhook_allowed_hosts: tuple[str, ...] = setting(
        "WEBHOOK_ALLOWED_HOSTS",
        (),
        "comma-separated `host:port` (or `host:*`, or `host` for port 80/443) allowed despite resolving to "
        "private/loopback addresses",
    )
    webhook_max_attempts: int = setting("WEBHOOK_MAX_ATTEMPTS", 5, "webhook delivery attempts")
    webhook_backoff_seconds: int = setting(
        "WEBHOOK_BACKOFF_SECONDS", 2, "the first retry's delay; it doubles each time"
    )

    # Console (web pages under /console)
    console_secret_key: str = setting(
        "CONSOLE_SECRET_KEY",
        "",
        "signs the console's session cookies; every API process must use the same",
        shown="empty: one is made at first start and shared through Redis",
    )
    console_session_ttl_seconds: int = setting(
        "CONSOLE_SESSION_TTL_SECONDS", 8 * 3600, "a console session ends after this long without a request"
    )

    # Operations
    metrics_token: str = setting(
        "METRICS_TOKEN",
        "",
        "a bearer token for the Prometheus scraper: `/metrics` accepts it or an admin API key, and it opens "
        "nothing else; at least 16 characters",
        shown="empty: `/metrics` refused without an admin key (scripts: generated)",
        min_length=16,
    )
    # prometheus-client reads this variable itself, under this name, at import.
    metrics_multiproc_dir: str = setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "",
        "prometheus-client's multiprocess folder: gunicorn's and Celery's processes write their metrics there; "
        "one folder per host, shared by the API and workers on that host",
        shown="empty (scripts: `var/metrics`, emptied by `make up`; image: `/tmp/metrics`)",
    )
    worker_metrics_port: int = setting(
        "WORKER_METRICS_PORT",
        0,
        "a worker serves its own `/metrics` on this port (for workers on other hosts than the API); needs "
        "`PROMETHEUS_MULTIPROC_DIR`",
        shown="`0` (none; compose: `9808`)",
    )
    # The API's gunicorn processes and threads (gunicorn.conf.py). Two
    # processes by default: a request's own work holds the GIL, and with 50
    # paced clients one process answered at 2-4x the p99 latency of two. The
    # shared layout, chosen for memory, runs one process with 16 threads: the
    # nginx front reads each request whole before a thread sees it (a slow
    # client holds no thread), and the second process cost 80-85 MB of its own
    # (docs/performance.md, "Memory around the models").
    api_workers: int = setting(
        "API_WORKERS",
        2,
        "gunicorn processes of the API (`gunicorn.conf.py`); each holds its own copy of the app, and two answer "
        "a busy API at a lower tail latency than one "
        "([Memory around the models](performance.md#memory-around-the-models))",
        shown="`2`; `1` with `WORKER_SERVES_INTERACTIVE`",
        derive=_default_api_workers,
    )
    api_threads: int = setting(
        "API_THREADS",
        8,
        "threads per API process; all but two of them may wait for a short request's answer at once",
        shown="`8`; `16` with one API process",
        derive=_default_api_threads,
    )
    # Proxies in front of the API that set X-Forwarded-For/-Proto/-Host (the
    # launcher's nginx: 1); 0 trusts no such header, as when clients reach gunicorn.
    proxy_hops: int = setting(
        "PROXY_HOPS",
        0,
        "proxies in front of the API that set `X-Forwarded-For`/`-Proto`/`-Host` (the launcher's nginx front: "
        "`1`); `0` trusts no such header",
        shown="`0` (launcher and compose: `1`)",
    )
    log_level: str = setting(
        "LOG_LEVEL", "INFO", "the API's level (workers take Celery's `--loglevel`)", normalize=str.upper
    )
    log_format: str = setting(
        "LOG_FORMAT", "json", "`json` (one object per line) or `text`", choices=("json", "text"), normalize=str.lower
    )

    # The interactive path (DeepL /v2/translate, LibreTranslate /translate, detection):
    # its own queue and worker process, so short requests never wait behind articles.
    # Niceness of the article worker's processes: short requests go first on shared cores.
    worker_nice: int = setting(
        "WORKER_NICE",
        10,
        "niceness of the article worker's processes, so short requests and the API go first on shared cores (0: none)",
    )
    # Below the deepl client's 10 s, after which it re-sends.
    # One copy of each model per host: the article worker's pool process also
    # serves the interactive queue (a thread of its own), on the models it
    # holds, and no interactive worker is started.
    worker_serves_interactive: bool = setting(
        "WORKER_SERVES_INTERACTIVE",
        False,
        "the article worker's process also serves short requests and detection, on the same loaded models, and "
        "`launcher up` starts no interactive worker ([Many language pairs](performance.md#many-language-pairs))",
    )
    interactive_timeout_seconds: float = setting(
        "INTERACTIVE_TIMEOUT_SECONDS", 8.0, "how long the API waits for the interactive worker (503 after)"
    )
    interactive_concurrency: int = setting(
        "INTERACTIVE_CONCURRENCY", 16, "short requests in flight in the interactive worker (threads)"
    )
    interactive_batching: bool = setting(
        "INTERACTIVE_BATCHING",
        True,
        "dynamic batching of short requests per model; off: one model call per request, as LibreTranslate does",
    )
    interactive_batch_window_ms: float = setting(
        "INTERACTIVE_BATCH_WINDOW_MS", 5.0, "how long a batch waits for more requests once one arrives"
    )
    interactive_batch_max_segments: int = setting("INTERACTIVE_BATCH_MAX_SEGMENTS", 64, "segments in one dynamic batch")
    interactive_max_chars: int = setting(
        "INTERACTIVE_MAX_CHARS",
        5000,
        "characters per short request (DeepL 413, LibreTranslate 400 above; longer texts go as documents)",
    )

    # Language detection (lingua), in the interactive worker
    detect_languages: tuple[str, ...] = setting(
        "DETECT_LANGUAGES",
        (),
        "languages the detector chooses from (ISO 639-1, comma-separated)",
        shown="every language of the installed models",
    )
    # lingua's language models are 70-95 MB for two languages: preloaded, the
    # first detection is fast; loaded on first use, a process that never
    # detects never pays for them. The shared layout is chosen for memory, so
    # it loads them on first use (docs/performance.md, "Memory around the models").
    detect_preload: bool = setting(
        "DETECT_PRELOAD",
        True,
        "load the detector's language models when the interactive path starts; off: on the first detection, "
        "which then waits for them (about 1 s for two languages, 7-9 s for eight)",
        shown="`on`; `off` with `WORKER_SERVES_INTERACTIVE`",
        derive=_default_detect_preload,
    )
    detect_min_confidence: float = setting(
        "DETECT_MIN_CONFIDENCE", 0.6, "detection refused below this confidence (0.9 for one word)"
    )
    detect_min_share: float = setting(
        "DETECT_MIN_SHARE", 0.5, "detection refused when the language has less than this share of a text's words"
    )
    # Automatic checks on every translated segment (checks/, docs/checks.md).
    checks_enabled: bool = setting(
        "CHECKS_ENABLED", True, "run the automatic checks on every translated segment (docs/checks.md)"
    )
    checks_back_translate: bool = setting(
        "CHECKS_BACK_TRANSLATE",
        True,
        "the checks call the models: segments the names or clause check flags are translated back with the"
        " reverse model, where one is installed, and judged again (measured: 3.5-6.4% of news segments); the"
        " words of names still missing are then translated alone, in one call per article (docs/checks.md)",
    )
    checks_headline_max: int = setting(
        "CHECKS_HEADLINE_MAX",
        0,
        "headline length (characters) flagged above; 0: only where the job sets `headline_max`",
    )

    @property
    def translation_threads(self) -> int:
        """The cores one worker process translates on: intra x inter threads."""
        return max(1, self.intra_threads) * max(1, self.inter_threads)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every setting from the environment (or `environ`); a value that does
        not parse or pass its check stops the process with a message naming it."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        derived = []
        for f in fields(cls):
            raw = environ.get(f.metadata["env"], "").strip()
            if raw:
                values[f.name] = _parse(f, raw)
            elif f.metadata["derive"]:  # unset and empty both mean the default
                derived.append(f)
            else:
                values[f.name] = f.default
        for f in derived:  # after the others: a derived default reads them
            values[f.name] = f.metadata["derive"](values)
        return cls(**values)


def _parse(f: Field[Any], raw: str) -> Any:
    meta = f.metadata
    name = meta["env"]
    value = PARSERS[str(f.type)](name, raw)
    if meta["normalize"]:
        value = meta["normalize"](value)
    if meta["choices"] and value not in meta["choices"]:
        raise ConfigurationError(f"{name}={raw!r}; use one of {', '.join(meta['choices'])}")
    if meta["min_length"] and len(value) < meta["min_length"]:
        raise ConfigurationError(
            f"{name} has {len(value)} characters; use at least {meta['min_length']} random ones "
            f"(e.g. `openssl rand -hex 32`), or leave it empty to disable what it protects"
        )
    return value


def _shown(f: Field[Any]) -> str:
    if f.metadata["shown"]:
        return str(f.metadata["shown"])
    value = f.default
    if value in ("", ()):
        return "empty"
    if isinstance(value, bool):
        return "`on`" if value else "`off`"
    if isinstance(value, tuple):
        return f"`{','.join(value)}`"
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def reference() -> str:
    """The configuration reference's table (docs/configuration.md), from the declarations."""
    rows = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    kinds = {"str": "text", "int": "integer", "float": "number", "bool": "boolean", "tuple[str, ...]": "list"}
    for f in fields(Settings):
        meaning = f.metadata["doc"].replace("|", "\\|")
        rows.append(f"| `{f.metadata['env']}` | {kinds[str(f.type)]} | {_shown(f)} | {meaning} |")
    return "\n".join(rows) + "\n"


REFERENCE_PAGE = "docs/configuration.md"
_BEGIN, _END = "<!-- BEGIN GENERATED: make docs (python config.py) -->\n", "<!-- END GENERATED -->"


def with_reference(page: str) -> str:
    """`page` (docs/configuration.md) with the table between its markers generated again."""
    head, begin, rest = page.partition(_BEGIN)
    _, end, tail = rest.partition(_END)
    if not (begin and end):
        raise ValueError(f"{REFERENCE_PAGE} lost its markers: {_BEGIN.strip()} ... {_END}")
    return head + begin + reference() + end + tail


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if sys.argv[1:] == ["--write"]:
        page = Path(__file__).parent / REFERENCE_PAGE
        page.write_text(with_reference(page.read_text()))
    else:
        print(reference(), end="")
