"""/metrics after a translated job, on the real deployment shape: the API under
gunicorn behind the nginx front (two worker processes, multiprocess metrics), a real Celery worker
sharing the metrics folder and also serving its own port, Redis with a
password. Worker and API logs are JSON lines tied together by the request id."""

from __future__ import annotations

import json

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from devtools.webhook_receiver import WebhookReceiver
from tests.helpers import WEBHOOK_SECRET, free_port, make_settings, wait_until

pytestmark = pytest.mark.e2e

TOKEN = "metrics-token-" + "9" * 32
REQUEST_ID = "cms-request-4711"


@pytest.fixture(scope="module")
def deployment(redis_server, model_dirs, tmp_path_factory, start_stack):
    work = tmp_path_factory.mktemp("metrics-e2e")
    metrics_dir = work / "metrics"
    metrics_dir.mkdir()
    settings = make_settings(
        redis_server, 19, model_dirs["identity"], webhook_secret=WEBHOOK_SECRET, webhook_allowed_hosts=("127.0.0.1:*",)
    )
    redis.Redis.from_url(settings.redis_url).flushdb()
    from access import KeyStore

    key = (
        KeyStore(redis.Redis.from_url(settings.redis_url))
        .create("metrics-e2e", ("translate",), rate_limit="unlimited", char_quota="unlimited")
        .secret
    )
    worker_port = free_port()
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "METRICS_TOKEN": TOKEN}
    stack = start_stack(settings, model_dirs["identity"], "metrics", **shared, WORKER_METRICS_PORT=str(worker_port))
    worker = stack.workers[0]
    base = stack.start_api(**shared, API_WORKERS="2", API_THREADS="4")
    yield {
        "base": base,
        "key": key,
        "worker_port": worker_port,
        "worker_log": worker.log,
        "api_log": stack.launcher.logfile("api"),
        "worker_name": worker.name,
    }
    stack.stop()


def scrape(url: str, token: str | None = TOKEN) -> dict:
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_and_logs_after_a_translated_job(deployment):
    base = deployment["base"]
    receiver = WebhookReceiver()
    job = {
        "source_lang": "en",
        "target_langs": ["de", "fr"],
        "callback_url": receiver.url,
        "article": {"title": "NATO summit", "body": "NATO allies meet in Vilnius.\n\nThey agree on NATO plans."},
        "glossary": {"entries": [{"term": "NATO", "keep": True}, {"term": "Vilnius", "translations": {"de": "Wilna"}}]},
    }
    auth = {"Authorization": f"Bearer {deployment['key']}"}
    submitted = httpx.post(f"{base}/v1/jobs", json=job, headers={**auth, "X-Request-ID": REQUEST_ID}, timeout=10)
    assert submitted.status_code == 202 and submitted.headers["X-Request-ID"] == REQUEST_ID
    job_id = submitted.json()["id"]
    status = wait_until(
        lambda: (s := httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth).json())["state"] == "succeeded" and s,
        120,
        what="the job",
    )
    wait_until(lambda: len(receiver.bodies) == 3, 30, what="three webhook deliveries")
    occurrences = sum(lang["glossary"]["source_occurrences"] for lang in status["languages"].values())

    assert httpx.get(f"{base}/metrics").status_code == 401
    assert httpx.get(f"{base}/metrics", headers=auth).status_code == 403  # a translate key is no scraper
    for found in (scrape(f"{base}/metrics"), None):
        if found is None:  # the worker's own port: the same worker metrics, for workers on other hosts
            found = scrape(f"http://127.0.0.1:{deployment['worker_port']}/metrics", token=None)
        else:
            # Request latency from both gunicorn processes, summed by the multiprocess collector.
            assert (
                value(
                    found, "newsroom_http_request_duration_seconds_count", method="POST", route="/v1/jobs", status="202"
                )
                == 1
            )
            assert (
                value(
                    found,
                    "newsroom_http_request_duration_seconds_count",
                    method="GET",
                    route="/v1/jobs/<job_id>",
                    status="200",
                )
                >= 1
            )
            assert value(found, "newsroom_redis_up") == 1
            assert value(found, "newsroom_queue_depth", queue="translate") == 0
            assert value(found, "newsroom_jobs", state="running") == value(found, "newsroom_jobs", state="queued") == 0
            assert value(found, "newsroom_languages", state="queued") == 0
            assert value(found, "newsroom_workers_alive") == 1
            assert value(found, "newsroom_worker_heartbeat_timestamp_seconds", worker=deployment["worker_name"]) > 0
            assert value(found, "newsroom_redis_maxmemory_bytes") > 0
        for lang in ("de", "fr"):
            pair = {"engine": "argos", "source": "en", "target": lang}
            assert value(found, "newsroom_languages_finished_total", **pair, state="succeeded") == 1
            assert value(found, "newsroom_translation_duration_seconds_count", **pair) == 1
            assert value(found, "newsroom_translation_duration_seconds_sum", **pair) > 0
            assert value(found, "newsroom_language_latency_seconds_count", **pair) == 1
            assert value(found, "newsroom_segments_total", **pair) == status["languages"][lang]["stats"]["segments"]
            assert (
                value(found, "newsroom_model_segments_total", **pair)
                + value(found, "newsroom_segment_cache_hits_total", **pair)
            ) >= 1
            # The checks ran in the worker: every segment checked; the identity model's English is "untranslated".
            assert (
                value(found, "newsroom_checked_segments_total", target=lang)
                == status["languages"][lang]["stats"]["segments"]
            )
            assert value(found, "newsroom_flagged_segments_total", target=lang, check="untranslated") >= 1
        # The identity model writes each term as it stands: every occurrence is
        # kept as written (model) or those words replaced (replace), none failed.
        placed = sum(
            value(found, "newsroom_glossary_occurrences_total", target=lang, method=method)
            for lang in ("de", "fr")
            for method in ("model", "replace")
        )
        assert placed == occurrences > 0
        assert value(found, "newsroom_webhook_deliveries_total", outcome="delivered") == 3

    checks = httpx.get(f"{base}/v1/jobs/{job_id}/translations/de/checks?check=untranslated", headers=auth).json()
    assert checks["checked"] and checks["flagged"] >= 1 and set(checks["by_check"]) == {"untranslated"}

    # Worker lines: JSON, each task's lines carry job, language, engine and the
    # submitting request's id; the last line of a translation its duration.
    lines = [json.loads(line) for line in deployment["worker_log"].read_text().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("job_id") == job_id]
    translated = [line for line in mine if line["message"].startswith("translated ")]
    assert sorted(line["lang"] for line in translated) == ["de", "fr"]
    for line in translated:
        assert line["engine"] == "argos" and line["request_id"] == REQUEST_ID and line["duration_s"] > 0
    assert all(line["request_id"] == REQUEST_ID and line["elapsed_s"] >= 0 for line in mine)
    assert {line["task"] for line in mine} == {"translate_language", "deliver_webhook"}
    # API lines: JSON, the access line of the submission with its request id.
    api_lines = [json.loads(line) for line in deployment["api_log"].read_text().splitlines() if line.startswith("{")]
    assert any(
        line.get("request_id") == REQUEST_ID and line.get("route") == "/v1/jobs" and line["status"] == 202
        for line in api_lines
    )
    print("worker line:", json.dumps(translated[0]))
