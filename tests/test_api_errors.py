"""Every bad request gets its documented status and a problem document, and
leaves nothing behind in Redis."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem, keyed_client, read_article, stored_keys

DB = 3


@pytest.fixture(scope="module")
def api(make_app):
    """The real app on the real Redis (its own database); no worker needed."""
    app = make_app(DB, max_body_bytes=64 * 1024, max_target_langs=3)
    return keyed_client(app), app.extensions["newsroom"].redis


def job(**overrides) -> dict:
    return {"source_lang": "en", "target_langs": ["de"], "article": read_article(), **overrides}


@pytest.mark.parametrize(
    "payload, field",
    [
        (job(source_lang=None), "source_lang"),  # omitted means detect; null is not a language
        (job(article={"title": "t"}), "article.body"),
        (job(target_langs=[]), "target_langs"),
        (job(target_langs="de"), "target_langs"),
        (job(source_lang="english"), "source_lang"),
        (job(article={"title": "t", "body": "b", "format": "rtf"}), "article.format"),
        (job(callback_url="ftp://example.com/x"), "callback_url"),
        (job(unexpected=1), "unexpected"),
    ],
)
def test_missing_or_wrong_fields_are_422_naming_the_field(api, payload, field):
    client, store = api
    body = assert_problem(client.post("/v1/jobs", json=payload), 422, "validation-error")
    assert field in [e["field"] for e in body["errors"]]
    assert field in body["detail"]
    assert stored_keys(store) == []


def test_malformed_json_is_400(api):
    client, store = api
    assert_problem(
        client.post("/v1/jobs", data='{"source_lang": "en",', content_type="application/json"), 400, "malformed-json"
    )
    assert stored_keys(store) == []


def test_unsupported_pair_lists_available_pairs(api):
    client, store = api
    body = assert_problem(client.post("/v1/jobs", json=job(target_langs=["ja"])), 422, "unsupported-language-pair")
    assert "en-de" in body["available_pairs"] and "en-ja" not in body["available_pairs"]
    assert "ja" in body["detail"]
    assert stored_keys(store) == []


def test_too_many_target_languages(api):
    client, store = api
    body = assert_problem(client.post("/v1/jobs", json=job(target_langs=["de", "fr", "es", "lt"])), 422)
    assert "At most 3" in body["detail"]
    assert stored_keys(store) == []


def test_body_over_size_limit_is_413(api):
    client, store = api
    article = {"title": "big", "body": "x" * (70 * 1024)}
    body = assert_problem(client.post("/v1/jobs", json=job(article=article)), 413)
    assert "65536" in body["detail"]
    assert stored_keys(store) == []


def test_non_json_body_is_415(api):
    client, store = api
    assert_problem(client.post("/v1/jobs", data="hello", content_type="text/plain"), 415)
    assert stored_keys(store) == []


def test_unknown_job_and_route_are_404(api):
    client, _ = api
    assert_problem(client.get("/v1/jobs/does-not-exist"), 404, "job-not-found")
    assert_problem(client.get("/v1/jobs/does-not-exist/translations/de"), 404)
    assert_problem(client.delete("/v1/jobs/does-not-exist"), 404)
    assert_problem(client.get("/v2/nothing"), 404)


def test_method_not_allowed_is_a_problem_too(api):
    client, _ = api
    assert_problem(client.put("/v1/jobs"), 405)


def test_openapi_and_docs(api):
    client, _ = api
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/v1/jobs" in spec["paths"] and "/v1/jobs/{job_id}/translations/{lang}" in spec["paths"]
    assert "JobIn" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_languages_lists_every_engine_and_pivot_pairs_across_engines(api):
    client, _ = api
    body = client.get("/v1/languages").get_json()
    installed = {(m["engine"], m["model"]): m for m in body["installed"]}
    assert installed[("argos", "test-identity-en_de")]["from"] == "en"
    assert {(m["from"], m["to"]) for m in body["installed"] if m["engine"] == "bergamot"} == {
        ("en", "pt"),
        ("pt", "en"),
    }
    pairs = {(p["source"], p["target"]): p for p in body["pairs"]}
    assert pairs[("en", "de")]["pivot"] is False and pairs[("en", "de")]["engines"] == ["argos"]
    assert pairs[("en", "pt")]["engines"] == ["bergamot"]
    # Bergamot's pt->en, then the argos test model en->de: a pivot may cross engines.
    assert pairs[("pt", "de")]["pivot"] is True and pairs[("pt", "de")]["engines"] == ["bergamot", "argos"]
    assert ("de", "en") not in pairs


def test_engines_are_chosen_by_configuration(make_app):
    # The module's database, kept: the module's client has its key there.
    client = keyed_client(make_app(DB, flush=False, engines=("argos",)))
    pairs = {(p["source"], p["target"]) for p in client.get("/v1/languages").get_json()["pairs"]}
    assert ("en", "de") in pairs and ("en", "pt") not in pairs
    body = assert_problem(client.post("/v1/jobs", json=job(target_langs=["pt"])), 422, "unsupported-language-pair")
    assert "en-de" in body["available_pairs"]
    with pytest.raises(ValueError, match="TRANSLATE_ENGINES"):
        make_app(DB, flush=False, engines=("argos", "deepl"))


def test_readyz_without_worker_is_503(api):
    client, _ = api
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert (
        checks["redis"] is True and checks["workers"] == [] and checks["models"] == 5 + 2
    )  # test models + bergamot's two
