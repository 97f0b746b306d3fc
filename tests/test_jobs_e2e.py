"""The whole path: HTTP API -> Redis -> real Celery worker -> Argos test models."""

from __future__ import annotations

import codecs

import pytest

from tests.helpers import read_article, wait_for_job

# The whole path: real Redis, real Celery worker processes.
pytestmark = pytest.mark.e2e


def expected(kind: str, text: str) -> str:
    return text if kind == "identity" else codecs.encode(text, "rot13")


def submit(client, article: dict, langs=("de", "fr", "es"), **extra) -> str:
    response = client.post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": list(langs), "article": article, **extra}
    )
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"].endswith(response.get_json()["id"])
    return response.get_json()["id"]


def test_sample_article_into_three_languages(stack, client):
    article = read_article()
    job_id = submit(client, article)
    status = wait_for_job(client, job_id)
    assert status["state"] == "succeeded"
    for lang in ("de", "fr", "es"):
        language = status["languages"][lang]
        assert language["progress"]["done"] == language["progress"]["total"] > 10
        assert language["started_at"] <= language["finished_at"]
        translation = client.get(f"/v1/jobs/{job_id}/translations/{lang}").get_json()
        assert translation["title"] == expected(stack.kind, article["title"])
        assert translation["body"] == expected(stack.kind, article["body"])
        assert translation["model"] == [
            {"engine": "argos", "model": f"test-{stack.kind}-en_{lang}", "version": "1.0", "from": "en", "to": lang}
        ]


def test_blank_lines_and_whitespace_survive(stack, client):
    article = {
        "title": "Short",
        "body": "\n\nFirst line.\n\n\n  Indented second. Two sentences!\nThird\n\n",
        "format": "text",
    }
    status = wait_for_job(client, submit(client, article, langs=["de"]))
    body = client.get(f"/v1/jobs/{status['id']}/translations/de").get_json()["body"]
    assert body == expected(stack.kind, article["body"])


def test_translation_not_ready_and_unknown_language(stack, client):
    article = read_article()
    article["body"] = "\n".join([article["body"]] * 30)
    job_id = submit(client, article, langs=["de", "fr", "es", "lt", "uk"])
    pending = client.get(f"/v1/jobs/{job_id}/translations/uk")
    if pending.status_code != 200:  # normally still queued behind the other four
        assert pending.status_code == 409
        assert pending.get_json()["type"].endswith("translation-not-ready")
    missing = client.get(f"/v1/jobs/{job_id}/translations/it")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    wait_for_job(client, job_id, timeout=120)


def test_cancel_stops_languages_not_yet_started(stack, client):
    article = read_article()
    article["body"] = "\n".join([article["body"]] * 40)
    job_id = submit(client, article, langs=["de", "fr", "es", "lt", "uk"])
    response = client.delete(f"/v1/jobs/{job_id}")
    assert response.status_code == 200
    status = wait_for_job(client, job_id, timeout=120)
    states = {lang: s["state"] for lang, s in status["languages"].items()}
    assert status["state"] == "cancelled"
    assert "cancelled" in states.values()
    assert set(states.values()) <= {"succeeded", "cancelled"}
    for lang, state in states.items():
        code = client.get(f"/v1/jobs/{job_id}/translations/{lang}").status_code
        assert code == (200 if state == "succeeded" else 409)
    assert client.delete(f"/v1/jobs/{job_id}").status_code == 409
