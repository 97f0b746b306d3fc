"""One copy of each model per host (WORKER_SERVES_INTERACTIVE): the article
worker's pool process serves short requests too, on the models it holds, and
no interactive worker runs. The count of model loads across the stack's
worker processes is read from their logs (the router logs every load with
its process id)."""

from __future__ import annotations

import re

import pytest
import redis

from devtools.testmodels import rot13
from tests.helpers import keyed_client, make_settings, wait_for_job, wait_until

pytestmark = pytest.mark.e2e

SENTENCE = "The minister said on Tuesday that the talks would continue next week."
LOADED = re.compile(r"model (\S+) loaded in [\d.]+ s .* in process (\d+)")


@pytest.fixture(scope="module")
def stack(redis_server, model_dirs, start_stack):
    settings = make_settings(redis_server, 21, model_dirs["cipher"], engines=("argos",))
    redis.Redis.from_url(settings.redis_url).flushdb()
    running = start_stack(settings, model_dirs["cipher"], "shared", WORKER_SERVES_INTERACTIVE="1")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(stack, make_app):
    return keyed_client(make_app(settings=stack.settings, flush=False))


def loads(stack) -> list[tuple[str, str]]:
    text = "".join(worker.log.read_text(errors="replace") for worker in stack.workers)
    return LOADED.findall(text)


def test_short_requests_and_articles_are_served_by_one_process_on_one_copy_of_each_model(stack, client):
    # No interactive worker: without the article worker's consumer this would time out (503).
    response = client.post("/v2/translate", json={"text": [SENTENCE], "source_lang": "EN", "target_lang": "DE"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["translations"][0]["text"] == rot13(SENTENCE)
    detected = client.post("/v2/translate", json={"text": [SENTENCE], "target_lang": "FR"})
    assert detected.get_json()["translations"][0]["detected_source_language"] == "EN"
    job = client.post(
        "/v1/jobs",
        json={"source_lang": "en", "target_langs": ["de", "fr"], "article": {"title": "Talks", "body": SENTENCE}},
    )
    assert job.status_code == 202, job.get_json()
    assert wait_for_job(client, job.get_json()["id"])["state"] == "succeeded"

    found = wait_until(lambda: loads(stack) or None, 10, what="model loads in the worker's log")
    models = [name for name, _ in found]
    assert len(stack.workers) == 1 and "interactive" not in stack.launcher.keys()
    assert len(set(pid for _, pid in found)) == 1, found  # one process holds the models
    assert len(models) == len(set(models)), f"a model loaded twice: {found}"
