"""A refused request costs nothing: on every refusal path of every API that
charges characters (native jobs, DeepL text and documents, LibreTranslate text
and files), the key's character quota is the same after the refusal as before.

Real app on a real Redis (database 20), no worker processes: refusals that
come from the interactive worker itself (its 422s) are in test_compat_e2e.py;
here its absence is the refusal (a 503 after the 0.5 s wait).
"""

from __future__ import annotations

import io

import kombu.exceptions
import pytest
import redis

from access import TRANSLATE, GLOSSARY_WRITE
from tests.helpers import job_body, keyed_client, make_settings

QUOTA = "100000/day"


@pytest.fixture(scope="module")
def app(make_app, redis_server, model_dirs):
    return make_app(
        settings=make_settings(
            redis_server, 25, model_dirs["identity"], interactive_timeout_seconds=0.5, webhook_secret=""
        )
    )


@pytest.fixture()
def client(app):
    return keyed_client(app, (TRANSLATE, GLOSSARY_WRITE), char_quota=QUOTA)


def remaining(client) -> int:
    return client.get("/v1/usage").get_json()["characters"]["remaining"]


@pytest.fixture()
def broker_down(app, monkeypatch):
    """Sending a task fails as it does with the broker unreachable (kombu's OperationalError)."""

    def refuse(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(app.extensions["newsroom"].celery, "send_task", refuse)


@pytest.fixture()
def broker_full(app, monkeypatch):
    def full(*args, **kwargs):
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")

    monkeypatch.setattr(app.extensions["newsroom"].celery, "send_task", full)


def deepl_document(client, text="A short text.", **form):
    data = {"target_lang": "DE", "source_lang": "EN", **form, "file": (io.BytesIO(text.encode()), "story.txt")}
    return client.post("/v2/document", data=data, content_type="multipart/form-data")


def libre_file(client, text="A short text.", **form):
    data = {"source": "en", "target": "de", **form, "file": (io.BytesIO(text.encode()), "story.txt")}
    return client.post("/translate_file", data=data, content_type="multipart/form-data")


def deepl_text(client, **params):
    return client.post(
        "/v2/translate", json={"text": ["A short text."], "target_lang": "DE", "source_lang": "EN", **params}
    )


def libre_text(client, **params):
    return client.post("/translate", json={"q": "A short text.", "source": "en", "target": "de", **params})


# Each refusal: name -> (request, status, fixtures that set it up). DeepL answers
# 400 where we answer 422, and 456 for an exhausted quota (its dialect).
REFUSALS = {
    "native, unsupported pair": (lambda c: c.post("/v1/jobs", json=job_body(target_langs=["xx"])), 422, ()),
    "native, a target listed twice": (lambda c: c.post("/v1/jobs", json=job_body(target_langs=["de", "de"])), 422, ()),
    "native, segment over the limit": (
        lambda c: c.post("/v1/jobs", json=job_body(article={"title": "T", "body": "x" * 20000})),
        422,
        (),
    ),
    "native, unknown glossary": (lambda c: c.post("/v1/jobs", json=job_body(glossary_ids=["nope"])), 422, ()),
    "native, webhooks disabled": (
        lambda c: c.post("/v1/jobs", json=job_body(callback_url="http://127.0.0.1:9/hook")),
        422,
        (),
    ),
    "native, detection unavailable": (lambda c: c.post("/v1/jobs", json=job_body(source_lang="auto")), 503, ()),
    "native, queue unreachable": (lambda c: c.post("/v1/jobs", json=job_body()), 503, ("broker_down",)),
    "native, queue full": (lambda c: c.post("/v1/jobs", json=job_body()), 507, ("broker_full",)),
    "deepl document, unsupported pair": (lambda c: deepl_document(c, target_lang="XX"), 400, ()),
    "deepl document, unknown glossary": (lambda c: deepl_document(c, glossary_id="nope"), 400, ()),
    "deepl document, detection unavailable": (lambda c: deepl_document(c, source_lang=""), 503, ()),
    "deepl document, queue unreachable": (lambda c: deepl_document(c), 503, ("broker_down",)),
    "deepl document, queue full": (lambda c: deepl_document(c), 507, ("broker_full",)),
    "deepl text, over the request limit": (lambda c: deepl_text(c, text=["x" * 6000]), 413, ()),
    "deepl text, unknown glossary": (lambda c: deepl_text(c, glossary_id="nope"), 400, ()),
    "deepl text, no interactive worker": (lambda c: deepl_text(c), 503, ()),
    "libre file, unsupported pair": (lambda c: libre_file(c, target="xx"), 400, ()),
    "libre file, detection unavailable": (lambda c: libre_file(c, source="auto"), 503, ()),
    "libre file, queue unreachable": (lambda c: libre_file(c), 503, ("broker_down",)),
    "libre file, queue full": (lambda c: libre_file(c), 507, ("broker_full",)),
    "libre text, over the request limit": (lambda c: libre_text(c, q="x" * 6000), 400, ()),
    "libre text, no interactive worker": (lambda c: libre_text(c), 503, ()),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_request_leaves_the_quota_as_it_was(name, client, request):
    send, status, setups = REFUSALS[name]
    for setup in setups:
        request.getfixturevalue(setup)
    before = remaining(client)
    response = send(client)
    assert response.status_code == status, response.get_data(as_text=True)
    assert remaining(client) == before


def test_an_accepted_request_is_charged_once(client, broker_down, monkeypatch):
    # The control: the same job, accepted (the broker answers again), costs its characters.
    monkeypatch.undo()
    before = remaining(client)
    body = job_body(target_langs=["de", "fr"])
    assert client.post("/v1/jobs", json=body).status_code == 202
    article = body["article"]
    assert remaining(client) == before - 2 * (len(article["title"]) + len(article["body"]))


def test_a_request_over_the_quota_is_refused_and_charges_nothing(app):
    client = keyed_client(app, (TRANSLATE,), char_quota="20/day")
    assert client.post("/v1/jobs", json=job_body(article={"title": "T", "body": "x" * 30})).status_code == 429
    assert deepl_document(client, text="x" * 30).status_code == 456  # DeepL's "quota exceeded"
    assert libre_file(client, text="x" * 30).status_code == 429
    assert remaining(client) == 20


def test_a_refund_gives_back_what_was_charged_and_never_more(app):
    from access import Quotas

    client = keyed_client(app, (TRANSLATE,), char_quota="100/day")
    key, quotas = (
        client.api_key.key,
        Quotas(
            app.extensions["newsroom"].redis, app.extensions["newsroom"].settings.redis_url, "unlimited", "unlimited"
        ),
    )
    assert quotas.characters(key, 30).allowed and remaining(client) == 70
    quotas.refund_characters(key, 30)
    assert remaining(client) == 100
    quotas.refund_characters(key, 500)  # more than was ever charged: the counter stops at zero
    assert remaining(client) == 100
    assert quotas.characters(key, 100).allowed and not quotas.characters(key, 1).allowed
