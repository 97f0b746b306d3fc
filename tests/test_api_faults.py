"""The API when Redis is away or loading, and input that used to reach a 500:
deep JSON, lone surrogates, articles no worker could translate in bounded time."""

from __future__ import annotations

import math
import socket
import threading
from dataclasses import replace

import pytest
import redis

from access import keys

from tests.helpers import assert_problem, free_port, keyed_client, make_settings, read_article, stored_keys


def job(**overrides) -> dict:
    return {"source_lang": "en", "target_langs": ["de"], "article": read_article(), **overrides}


# Every endpoint that touches Redis, with a body it would accept.
REDIS_ENDPOINTS = [
    ("post", "/v1/jobs", job()),
    ("get", "/v1/jobs/some-job", None),
    ("delete", "/v1/jobs/some-job", None),
    ("get", "/v1/jobs/some-job/translations/de", None),
    ("get", "/v1/articles/cms-1/de", None),
    ("get", "/v1/glossaries", None),
    ("post", "/v1/glossaries", {"name": "g", "source_lang": "en"}),
    ("get", "/v1/glossaries/g1", None),
    ("put", "/v1/glossaries/g1", {"name": "g", "source_lang": "en"}),
    ("patch", "/v1/glossaries/g1", {"name": "g2"}),
    ("delete", "/v1/glossaries/g1", None),
    ("post", "/v1/glossaries/g1/entries", {"term": "NATO", "keep": True}),
    ("put", "/v1/glossaries/g1/entries/e1", {"term": "NATO", "keep": True}),
    ("delete", "/v1/glossaries/g1/entries/e1", None),
    ("get", "/v1/glossaries/g1/versions/1", None),
    ("get", "/v1/glossaries/g1/export?format=csv", None),
]


# A well-formed key: checking it needs Redis too, so the answer is the same 503.
SOME_KEY = f"Bearer {keys.PREFIX}{'a' * keys._ID_LENGTH}_{'b' * keys._SECRET_LENGTH}"


def call(client, method: str, path: str, body):
    headers = {"If-Match": '"g1-v1"', "Authorization": SOME_KEY}
    return (
        getattr(client, method)(path, json=body, headers=headers)
        if body is not None
        else getattr(client, method)(path, headers=headers)
    )


def app_on(redis_url: str, model_dirs):
    from config import Settings
    from service import create_app

    return create_app(
        replace(Settings(), redis_url=redis_url, argos_packages_dir=str(model_dirs["identity"]))
    ).test_client()


# Every endpoint waits out the API's quick retries (about 0.3 s) before its
# 503: seconds in all, so the full suite's; the health test below stays fast.
@pytest.mark.slow
@pytest.mark.parametrize("method, path, body", REDIS_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in REDIS_ENDPOINTS])
def test_redis_down_is_503_with_retry_after_on_every_endpoint(model_dirs, method, path, body):
    """Before: 500 Internal Server Error."""
    client = app_on(f"redis://127.0.0.1:{free_port()}/0", model_dirs)  # nothing listens there
    response = call(client, method, path, body)
    problem = assert_problem(response, 503, "service-unavailable")
    assert response.headers["Retry-After"] == "5"
    assert "unreachable" in problem["detail"]


class LoadingRedis:
    """Answers every command as a Redis still loading its data does."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn):
        with conn:
            while conn.recv(65536):
                conn.sendall(b"-LOADING Redis is loading the dataset in memory\r\n")


@pytest.mark.slow
@pytest.mark.parametrize("method, path, body", REDIS_ENDPOINTS[:6], ids=[f"{m} {p}" for m, p, _ in REDIS_ENDPOINTS[:6]])
def test_redis_loading_after_restart_is_503_too(model_dirs, method, path, body):
    """Before: one 500 (BusyLoadingError) right after every Redis restart."""
    server = LoadingRedis()
    response = call(app_on(f"redis://127.0.0.1:{server.port}/0", model_dirs), method, path, body)
    problem = assert_problem(response, 503, "service-unavailable")
    assert response.headers["Retry-After"] and "loading" in problem["detail"]


def test_health_endpoints_while_redis_is_down(model_dirs):
    client = app_on(f"redis://127.0.0.1:{free_port()}/0", model_dirs)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    # Checking the API key needs Redis: every /v1 endpoint answers 503, this one too.
    assert_problem(client.get("/v1/languages", headers={"Authorization": SOME_KEY}), 503)


@pytest.fixture(scope="module")
def api(redis_server, model_dirs):
    from service import create_app

    settings = make_settings(
        redis_server,
        7,
        model_dirs["identity"],
        max_segment_chars=1000,
        max_segment_tokens=120,
        max_segments_per_article=50,
    )
    store = redis.Redis.from_url(settings.redis_url)
    clear(store)
    return keyed_client(create_app(settings)), store


def clear(store) -> None:
    """Remove what the tests' jobs left, keeping the API key."""
    leftovers = stored_keys(store)
    if leftovers:
        store.delete(*leftovers)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "path, method",
    [
        ("/v1/jobs", "post"),
        ("/v1/glossaries", "post"),
        ("/v1/glossaries/g1", "put"),
        ("/v1/glossaries/g1", "patch"),
        ("/v1/glossaries/g1/entries", "post"),
    ],
)
@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_400(api, path, method, depth):
    """Before: 1,000 levels or more raised RecursionError in the decoder: 500."""
    client, store = api
    response = getattr(client, method)(
        path,
        data='{"source_lang": ' + nested(depth) + "}",
        content_type="application/json",
        headers={"If-Match": '"g1-v1"'},
    )
    problem = assert_problem(response, 400, "json-too-deep")
    assert "MAX_JSON_DEPTH" in problem["detail"]
    assert stored_keys(store) == []


def test_reasonable_nesting_still_gets_field_errors(api):
    client, _ = api
    response = client.post("/v1/jobs", data='{"source_lang": ' + nested(5) + "}", content_type="application/json")
    assert_problem(response, 422, "validation-error")


SURROGATE = "\ud800"


@pytest.mark.parametrize(
    "payload, field",
    [
        (job(external_id="cms-" + SURROGATE), "external_id"),
        (job(article={"title": "t" + SURROGATE, "body": "b"}), "article.title"),
        (job(article={"title": "t", "body": "Body " + SURROGATE + " text."}), "article.body"),
        (job(glossary={"entries": [{"term": "NATO" + SURROGATE, "keep": True}]}), "glossary.entries.0.term"),
        (
            job(glossary={"entries": [{"term": "NATO", "translations": {"de": "x" + SURROGATE}}]}),
            "glossary.entries.0.translations.de.value",
        ),
    ],
)
def test_lone_surrogates_in_a_job_are_422(api, payload, field):
    """Before: 500 (external_id, glossary fields) or a job that failed with UnicodeEncodeError (body)."""
    client, store = api
    problem = assert_problem(client.post("/v1/jobs", json=payload), 422, "validation-error")
    assert field in [e["field"] for e in problem["errors"]], problem
    assert "lone surrogate" in problem["detail"]
    assert stored_keys(store) == []


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "desk" + SURROGATE, "source_lang": "en"}, "name"),
        ({"name": "desk", "source_lang": "en", "description": SURROGATE}, "description"),
        (
            {"name": "desk", "source_lang": "en", "entries": [{"term": "Kyiv", "variants": ["Kiev" + SURROGATE]}]},
            "entries.0.variants.0",
        ),
        (
            {"name": "desk", "source_lang": "en", "entries": [{"term": "Kyiv", "keep": True, "note": SURROGATE}]},
            "entries.0.note",
        ),
    ],
)
def test_lone_surrogates_in_a_glossary_are_422(api, payload, field):
    client, store = api
    problem = assert_problem(client.post("/v1/glossaries", json=payload), 422, "validation-error")
    assert field in [e["field"] for e in problem["errors"]], problem
    assert stored_keys(store) == []


def test_lone_surrogate_in_a_key_name_is_422(api):
    client, _ = api
    problem = assert_problem(
        client.post("/v1/keys", json={"name": "desk" + SURROGATE, "roles": ["translate"]}), 422, "validation-error"
    )
    assert "name" in [e["field"] for e in problem["errors"]]


@pytest.mark.parametrize("fmt, body", [("html", "<p>Body &#xD800; text.</p>"), ("markdown", "Body &#xD800; text.")])
def test_surrogate_character_references_do_not_break_a_job(api, fmt, body):
    """A character reference to a surrogate is not a lone surrogate in JSON:
    the parsers keep references as written, so the job is accepted and translatable."""
    client, store = api
    response = client.post("/v1/jobs", json=job(article={"title": "t", "body": body, "format": fmt}))
    assert response.status_code == 202, response.get_json()
    clear(store)


def test_unsplittable_word_over_the_character_limit_is_422_naming_it(api):
    client, store = api
    body = "A normal sentence. Then " + "x" * 1500 + " and more."
    problem = assert_problem(
        client.post("/v1/jobs", json=job(article={"title": "t", "body": body})), 422, "limit-exceeded"
    )
    assert problem["limit"] == "MAX_SEGMENT_CHARS" and "MAX_SEGMENT_CHARS=1000" in problem["detail"]
    assert stored_keys(store) == []


def test_word_over_the_model_token_limit_is_422_naming_it(api):
    client, _ = api
    body = "See " + "y" * 300 + " now."  # the test models' tokenizer: one token per character
    problem = assert_problem(
        client.post("/v1/jobs", json=job(article={"title": "t", "body": body})), 422, "limit-exceeded"
    )
    assert problem["limit"] == "MAX_SEGMENT_TOKENS" and "MAX_SEGMENT_TOKENS=120" in problem["detail"]


def test_too_many_sentences_is_422_naming_the_limit(api):
    client, _ = api
    body = " ".join(f"Sentence number {i}." for i in range(60))
    problem = assert_problem(
        client.post("/v1/jobs", json=job(article={"title": "t", "body": body})), 422, "limit-exceeded"
    )
    assert problem["limit"] == "MAX_SEGMENTS_PER_ARTICLE"


def test_long_sentence_with_places_to_split_is_accepted(api):
    client, store = api
    body = ", ".join(["the minister said the alliance would meet again"] * 100) + "."  # 4,900 characters
    response = client.post("/v1/jobs", json=job(article={"title": "t", "body": body}))
    assert response.status_code == 202, response.get_json()
    clear(store)


def test_time_limits_follow_the_article_size(api):
    client, store = api
    small = client.post("/v1/jobs", json=job(article={"title": "t", "body": "Short."})).get_json()["id"]
    large = client.post("/v1/jobs", json=job(article={"title": "t", "body": "Word, " * 8000})).get_json()["id"]
    from jobs.store import JobStore

    jobs = JobStore(store)
    assert jobs.request(small).time_limits == {"soft": 61, "hard": 91}
    limits = jobs.request(large).time_limits
    assert limits["soft"] == 60 + math.ceil(48_001 / 1000 * 20) and limits["hard"] > limits["soft"]
    clear(store)
