"""/metrics is protected and speaks Prometheus text; every response carries a
request id; log lines are JSON with the context bound to them."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import keyed_client
from telemetry import logs

TOKEN = "m" * 32


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(16, metrics_token=TOKEN)


def samples(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_need_the_scrapers_token_or_an_admin_key(app, make_app):
    client = app.test_client()  # no API key
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert keyed_client(app).get("/metrics").status_code == 200  # an admin key
    translator = keyed_client(app, roles=("translate",))
    assert translator.get("/metrics").status_code == 403
    # The scraper's token opens nothing else.
    assert client.get("/v1/languages", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    # Without METRICS_TOKEN, only admin keys scrape.
    unset = make_app(16, flush=False)
    assert unset.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert keyed_client(unset).get("/metrics").status_code == 200


def test_metrics_report_requests_and_redis_state(app):
    client = keyed_client(app)
    assert client.get("/v1/jobs/unknown").status_code == 404
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    found = samples(response.get_data(as_text=True))
    key = (
        "newsroom_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/v1/jobs/<job_id>"), ("status", "404")),
    )
    assert found[key] >= 1
    assert found[("newsroom_redis_up", ())] == 1
    assert found[("newsroom_queue_depth", (("queue", "translate"),))] == 0
    assert found[("newsroom_redis_maxmemory_bytes", ())] == 1024**3  # scripts/redis.conf
    assert ("newsroom_jobs", (("state", "queued"),)) in found


def test_jobs_and_languages_by_state_follow_the_store(app):
    from jobs.store import JobStore

    store = JobStore(app.extensions["newsroom"].redis)
    client = app.test_client()  # scrapes with the token
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def gauges():
        found = samples(client.get("/metrics", headers=headers).get_data(as_text=True))
        return {
            (name, dict(labels)["state"]): value
            for (name, labels), value in found.items()
            if name in ("newsroom_jobs", "newsroom_languages")
        }

    before = gauges()
    job_id = store.create({"source_lang": "en", "target_langs": ["de", "fr"], "article": {"title": "", "body": ""}})
    after = gauges()
    assert after[("newsroom_jobs", "queued")] == before[("newsroom_jobs", "queued")] + 1
    assert after[("newsroom_languages", "queued")] == before[("newsroom_languages", "queued")] + 2
    claim = store.leases.claim(job_id, "de")
    running = gauges()
    assert running[("newsroom_jobs", "running")] == before[("newsroom_jobs", "running")] + 1
    assert running[("newsroom_jobs", "queued")] == before[("newsroom_jobs", "queued")]
    assert running[("newsroom_languages", "running")] == before[("newsroom_languages", "running")] + 1
    store.leases.succeed(job_id, "de", claim.holder, {"model": []}, None, {})
    assert gauges()[("newsroom_jobs", "running")] == before[("newsroom_jobs", "running")] + 1  # fr still queued
    assert store.cancel(job_id) == ["fr"]
    assert gauges() == before


def test_a_request_id_is_accepted_or_made_and_returned(app):
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "cms-req-42"}).headers["X-Request-ID"] == "cms-req-42"
    made = client.get("/healthz", headers={"X-Request-ID": "not an id <script>"}).headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
    # Refused requests too (the id is made before access control answers).
    refused = client.get("/v1/languages", headers={"X-Request-ID": "cms-req-43"})
    assert refused.status_code == 401 and refused.headers["X-Request-ID"] == "cms-req-43"


def test_log_lines_are_json_with_their_context():
    stream = io.StringIO()
    logger = logging.getLogger("test.observability")
    logger.addHandler(logs.handler(stream))
    logger.propagate = False
    token = logs.start(job_id="j1", lang="de", request_id="r1")
    try:
        logs.bind(engine="argos")
        logger.warning("done in %d", 3, extra={"duration_s": 1.5})
    finally:
        logs.reset(token)
    logger.warning("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "done in 3" and first["level"] == "WARNING"
    assert {k: first[k] for k in ("job_id", "lang", "request_id", "engine", "duration_s")} == {
        "job_id": "j1",
        "lang": "de",
        "request_id": "r1",
        "engine": "argos",
        "duration_s": 1.5,
    }
    assert first["elapsed_s"] >= 0 and "time" in first
    assert "job_id" not in second
