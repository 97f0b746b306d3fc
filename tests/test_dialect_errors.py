"""DeepL's and LibreTranslate's endpoints answer every error in their clients'
dialect, whatever its cause: Redis stopped (503), Redis full (507), a rate
limit (429), a body over the size limit (413). DeepL: {"message"}; LibreTranslate:
{"error"}; both as application/json, never application/problem+json.
"""

from __future__ import annotations

import io

import pytest
import redis

from access import TRANSLATE
from tests.helpers import keyed_client, make_settings

DEEPL_TEXT = ("post", "/v2/translate", {"json": {"text": ["Hello."], "target_lang": "DE", "source_lang": "EN"}})
LIBRE_TEXT = ("post", "/translate", {"json": {"q": "Hello.", "source": "en", "target": "de"}})


def deepl_document():
    return {
        "data": {"target_lang": "DE", "source_lang": "EN", "file": (io.BytesIO(b"Hello."), "a.txt")},
        "content_type": "multipart/form-data",
    }


def libre_file():
    return {
        "data": {"source": "en", "target": "de", "file": (io.BytesIO(b"Hello."), "a.txt")},
        "content_type": "multipart/form-data",
    }


ENDPOINTS = {
    "deepl text": ("message", lambda c: c.post(DEEPL_TEXT[1], **DEEPL_TEXT[2])),
    "deepl document": ("message", lambda c: c.post("/v2/document", **deepl_document())),
    "deepl usage": ("message", lambda c: c.get("/v2/usage")),
    "libre text": ("error", lambda c: c.post(LIBRE_TEXT[1], **LIBRE_TEXT[2])),
    "libre file": ("error", lambda c: c.post("/translate_file", **libre_file())),
    "libre detect": ("error", lambda c: c.post("/detect", json={"q": "Hello."})),
}


def assert_dialect(response, status: int, member: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == [member] and body[member], body
    return body[member]


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_redis_stopped_is_a_503_in_the_clients_dialect(name, private_redis_server, make_app):
    app = make_app(settings=make_settings(private_redis_server, 0, "/nonexistent", interactive_timeout_seconds=0.5))
    client = keyed_client(app, (TRANSLATE,))
    private_redis_server.stop()
    member, send = ENDPOINTS[name]
    message = assert_dialect(send(client), 503, member)
    assert "unreachable" in message
    assert send(client).headers["Retry-After"] == "5"


@pytest.fixture(scope="module")
def app(make_app, redis_server, model_dirs):
    return make_app(
        settings=make_settings(
            redis_server, 21, model_dirs["identity"], interactive_timeout_seconds=0.5, max_body_bytes=4096
        )
    )


@pytest.mark.parametrize("name", ["deepl document", "libre file"])
def test_redis_full_is_a_507_in_the_clients_dialect(name, app, monkeypatch):
    def full(*args, **kwargs):
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")

    monkeypatch.setattr(app.extensions["newsroom"].celery, "send_task", full)
    member, send = ENDPOINTS[name]
    response = send(keyed_client(app, (TRANSLATE,)))
    assert "full" in assert_dialect(response, 507, member) and response.headers["Retry-After"] == "60"


@pytest.mark.parametrize("name", ["deepl text", "libre text"])
def test_a_rate_limit_is_a_429_in_the_clients_dialect(name, app):
    client = keyed_client(app, (TRANSLATE,), rate_limit="1/minute")
    member, send = ENDPOINTS[name]
    send(client)
    response = send(client)
    assert_dialect(response, 429, member)
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("name, status", [("deepl text", 413), ("libre text", 400)])
def test_a_body_over_the_limit_is_refused_in_the_clients_dialect(name, status, app):
    member, _ = ENDPOINTS[name]
    path, field = (DEEPL_TEXT[1], "text") if name == "deepl text" else (LIBRE_TEXT[1], "q")
    body = {"text": ["x" * 8000], "target_lang": "DE"} if field == "text" else {"q": "x" * 8000, "target": "de"}
    assert "4096" in assert_dialect(keyed_client(app, (TRANSLATE,)).post(path, json=body), status, member)
