"""Every endpoint x {no key, wrong key, revoked key, each role}: the exact status
and problem document, on the real app and a real Redis (no worker needed).

The table below names, for every endpoint of the app, the role it needs, a
request that succeeds with that role, and its status. The endpoints come from
the app's url_map: an endpoint missing from the table, or declaring another
role than the table says, fails the test."""

from __future__ import annotations

import io

import pytest

from access import ADMIN, GLOSSARY_READ, GLOSSARY_WRITE, REVIEW, ROLES, TRANSLATE, KeyStore
from editorial.interchange import export_tmx, export_xliff
from editorial.memory import Entry, TranslationMemory
from editorial.segments import Draft, SegmentRecord
from editorial.store import Drafts
from jobs.store import JobStore
from service.auth import ANY_KEY, endpoint_role
from tests.helpers import job_body

PUBLIC = "public"
TENANT = "matrix"
CSV = "term,de\nKyiv,Kyjiw\n"


class World:
    """A fresh glossary, a queued job and a finished, published job, all of tenant TENANT."""

    def __init__(self, app, admin_client):
        jobs: JobStore = app.extensions["newsroom"].jobs
        created = admin_client.post(
            "/v1/glossaries",
            json={"name": "matrix", "source_lang": "en", "entries": [{"term": "NATO", "translations": {"de": "NATO"}}]},
        )
        assert created.status_code == 201, created.get_json()
        self.glossary = created.get_json()["id"]
        self.etag = created.headers["ETag"]
        self.entry = created.get_json()["entries"][0]["id"]
        submitted = admin_client.post("/v1/jobs", json=job_body())
        assert submitted.status_code == 202, submitted.get_json()
        self.queued_job = submitted.get_json()["id"]
        self.done_job = admin_client.post("/v1/jobs", json=job_body(external_id="cms-matrix")).get_json()["id"]
        # What a worker would do, without one: run and publish the job's German translation.
        claim = jobs.leases.claim(self.done_job, "de")
        assert claim.claimed
        assert jobs.leases.succeed(
            self.done_job, "de", claim.holder, {"title": "T", "body": "B", "format": "text", "model": []}, None, {}
        )
        assert jobs.articles.publish("cms-matrix", "de", 1, self.done_job, TENANT)
        # ... and keep its segments, as the pipeline does; and a memory entry of the tenant.
        draft = Draft((SegmentRecord("s1", 0, 0, 6, "Matrix", "T", provenance={"kind": "machine"}),))
        Drafts(jobs.redis).save(self.done_job, "de", draft)
        self.xliff = export_xliff(draft, "en", "de", "2.0", "matrix")
        self.memory_entry = Entry("A short text.", "Ein kurzer Text.")
        TranslationMemory(jobs.redis).add(TENANT, "en", "de", [self.memory_entry])
        victim = admin_client.post("/v1/keys", json={"name": "victim", "roles": [TRANSLATE], "tenant": TENANT})
        self.other_key = victim.get_json()["id"]
        document = admin_client.post("/v2/document", data=document_upload(self))
        assert document.status_code == 200, document.get_json()
        self.document_id, self.document_key = document.get_json()["document_id"], document.get_json()["document_key"]


def document_upload(_world=None) -> dict:
    return {"target_lang": "DE", "source_lang": "EN", "file": (io.BytesIO(b"A short text."), "story.txt")}


# endpoint -> (role, method, path, request kwargs (or a function of the world), status when allowed). `w` is a World.
# No worker runs here: what needs one answers 503 (the interactive path gives up at once), once access is granted.
ENDPOINTS = {
    "health.healthz": (PUBLIC, "GET", lambda w: "/healthz", {}, 200),
    "health.readyz": (PUBLIC, "GET", lambda w: "/readyz", {}, 503),  # no worker in this test
    "openapi.spec": (PUBLIC, "GET", lambda w: "/openapi.json", {}, 200),
    "openapi.docs": (PUBLIC, "GET", lambda w: "/docs", {}, 200),
    "languages.list_languages": (ANY_KEY, "GET", lambda w: "/v1/languages", {}, 200),
    "usage.usage": (ANY_KEY, "GET", lambda w: "/v1/usage", {}, 200),
    "jobs.create_job": (TRANSLATE, "POST", lambda w: "/v1/jobs", {"json": job_body()}, 202),
    "jobs.upload_job": (
        TRANSLATE,
        "POST",
        lambda w: "/v1/jobs/upload",
        lambda w: {
            "data": {"file": (io.BytesIO(b"A short text."), "story.txt"), "source_lang": "en", "target_langs": "de"}
        },
        202,
    ),
    "jobs.list_jobs": (TRANSLATE, "GET", lambda w: "/v1/jobs", {}, 200),
    "jobs.get_job": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.queued_job}", {}, 200),
    "jobs.cancel_job": (TRANSLATE, "DELETE", lambda w: f"/v1/jobs/{w.queued_job}", {}, 200),
    "jobs.get_translation": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.done_job}/translations/de", {}, 200),
    "checks.get_checks": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.done_job}/translations/de/checks", {}, 200),
    "jobs.get_source": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.done_job}/source", {}, 200),
    "articles.latest_translation": (TRANSLATE, "GET", lambda w: "/v1/articles/cms-matrix/de", {}, 200),
    "glossaries.create_glossary": (
        GLOSSARY_WRITE,
        "POST",
        lambda w: "/v1/glossaries",
        {"json": {"name": "new", "source_lang": "en"}},
        201,
    ),
    "glossaries.list_glossaries": (GLOSSARY_READ, "GET", lambda w: "/v1/glossaries", {}, 200),
    "glossaries.get_glossary": (GLOSSARY_READ, "GET", lambda w: f"/v1/glossaries/{w.glossary}", {}, 200),
    "glossaries.replace_glossary": (
        GLOSSARY_WRITE,
        "PUT",
        lambda w: f"/v1/glossaries/{w.glossary}",
        {"json": {"name": "renamed", "source_lang": "en"}, "etag": True},
        200,
    ),
    "glossaries.patch_glossary": (
        GLOSSARY_WRITE,
        "PATCH",
        lambda w: f"/v1/glossaries/{w.glossary}",
        {"json": {"description": "changed"}, "etag": True},
        200,
    ),
    "glossaries.delete_glossary": (
        GLOSSARY_WRITE,
        "DELETE",
        lambda w: f"/v1/glossaries/{w.glossary}",
        {"etag": True},
        204,
    ),
    "glossaries.add_entry": (
        GLOSSARY_WRITE,
        "POST",
        lambda w: f"/v1/glossaries/{w.glossary}/entries",
        {"json": {"term": "Kyiv", "translations": {"de": "Kyjiw"}}, "etag": True},
        201,
    ),
    "glossaries.replace_entry": (
        GLOSSARY_WRITE,
        "PUT",
        lambda w: f"/v1/glossaries/{w.glossary}/entries/{w.entry}",
        {"json": {"term": "NATO", "keep": True}, "etag": True},
        200,
    ),
    "glossaries.delete_entry": (
        GLOSSARY_WRITE,
        "DELETE",
        lambda w: f"/v1/glossaries/{w.glossary}/entries/{w.entry}",
        {"etag": True},
        200,
    ),
    "glossaries.list_versions": (GLOSSARY_READ, "GET", lambda w: f"/v1/glossaries/{w.glossary}/versions", {}, 200),
    "glossaries.get_version": (GLOSSARY_READ, "GET", lambda w: f"/v1/glossaries/{w.glossary}/versions/1", {}, 200),
    "glossaries.import_glossary": (
        GLOSSARY_WRITE,
        "POST",
        lambda w: f"/v1/glossaries/{w.glossary}/import?format=csv",
        {"data": CSV, "content_type": "text/csv", "etag": True},
        200,
    ),
    "glossaries.export_glossary": (GLOSSARY_READ, "GET", lambda w: f"/v1/glossaries/{w.glossary}/export", {}, 200),
    "keys.create_key": (ADMIN, "POST", lambda w: "/v1/keys", {"json": {"name": "n", "roles": [TRANSLATE]}}, 201),
    "keys.list_keys": (ADMIN, "GET", lambda w: "/v1/keys", {}, 200),
    "keys.get_key": (ADMIN, "GET", lambda w: f"/v1/keys/{w.other_key}", {}, 200),
    "keys.update_key": (
        ADMIN,
        "PATCH",
        lambda w: f"/v1/keys/{w.other_key}",
        {"json": {"rate_limit": "10/minute"}},
        200,
    ),
    "keys.revoke_key": (ADMIN, "DELETE", lambda w: f"/v1/keys/{w.other_key}", {}, 200),
    "keys.rotate_key": (ADMIN, "POST", lambda w: f"/v1/keys/{w.other_key}/rotate", {}, 201),
    "keys.key_audit": (ADMIN, "GET", lambda w: f"/v1/keys/{w.other_key}/audit", {}, 200),
    # Also open to METRICS_TOKEN (tests/test_observability.py).
    "metrics.scrape": (ADMIN, "GET", lambda w: "/metrics", {}, 200),
    "docs_assets.asset": (PUBLIC, "GET", lambda w: "/docs/assets/swagger-ui.css", {}, 200),
    "deepl.translate": (
        TRANSLATE,
        "POST",
        lambda w: "/v2/translate",
        {"json": {"text": ["Hi."], "source_lang": "EN", "target_lang": "DE"}},
        503,
    ),
    "deepl.upload_document": (TRANSLATE, "POST", lambda w: "/v2/document", lambda w: {"data": document_upload()}, 200),
    "deepl.document_status": (
        TRANSLATE,
        "POST",
        lambda w: f"/v2/document/{w.document_id}",
        lambda w: {"json": {"document_key": w.document_key}},
        200,
    ),
    "deepl.document_result": (
        TRANSLATE,
        "POST",
        lambda w: f"/v2/document/{w.document_id}/result",
        lambda w: {"json": {"document_key": w.document_key}},
        503,
    ),  # not translated yet
    "deepl.languages": (ANY_KEY, "GET", lambda w: "/v2/languages", {}, 200),
    "deepl.glossary_language_pairs": (ANY_KEY, "GET", lambda w: "/v2/glossary-language-pairs", {}, 200),
    "deepl.usage": (ANY_KEY, "GET", lambda w: "/v2/usage", {}, 200),
    "deepl.create_glossary": (
        GLOSSARY_WRITE,
        "POST",
        lambda w: "/v2/glossaries",
        {"json": {"name": "d", "source_lang": "EN", "target_lang": "DE", "entries": "a\tb", "entries_format": "tsv"}},
        201,
    ),
    "deepl.list_glossaries": (GLOSSARY_READ, "GET", lambda w: "/v2/glossaries", {}, 200),
    "deepl.get_glossary": (GLOSSARY_READ, "GET", lambda w: f"/v2/glossaries/{w.glossary}.de", {}, 200),
    "deepl.glossary_entries": (GLOSSARY_READ, "GET", lambda w: f"/v2/glossaries/{w.glossary}.de/entries", {}, 200),
    "deepl.delete_glossary": (GLOSSARY_WRITE, "DELETE", lambda w: f"/v2/glossaries/{w.glossary}.de", {}, 204),
    "deepl_v3.create_glossary": (
        GLOSSARY_WRITE,
        "POST",
        lambda w: "/v3/glossaries",
        {
            "json": {
                "name": "d",
                "dictionaries": [
                    {"source_lang": "EN", "target_lang": "DE", "entries": "a\tb", "entries_format": "tsv"}
                ],
            }
        },
        201,
    ),
    "deepl_v3.list_glossaries": (GLOSSARY_READ, "GET", lambda w: "/v3/glossaries", {}, 200),
    "deepl_v3.get_glossary": (GLOSSARY_READ, "GET", lambda w: f"/v3/glossaries/{w.glossary}", {}, 200),
    "deepl_v3.glossary_entries": (
        GLOSSARY_READ,
        "GET",
        lambda w: f"/v3/glossaries/{w.glossary}/entries?source_lang=EN&target_lang=DE",
        {},
        200,
    ),
    "deepl_v3.update_glossary": (
        GLOSSARY_WRITE,
        "PATCH",
        lambda w: f"/v3/glossaries/{w.glossary}",
        {"json": {"name": "renamed"}},
        200,
    ),
    "deepl_v3.replace_dictionary": (
        GLOSSARY_WRITE,
        "PUT",
        lambda w: f"/v3/glossaries/{w.glossary}/dictionaries",
        {"json": {"source_lang": "EN", "target_lang": "DE", "entries": "a\tb", "entries_format": "tsv"}},
        200,
    ),
    "deepl_v3.delete_dictionary": (
        GLOSSARY_WRITE,
        "DELETE",
        lambda w: f"/v3/glossaries/{w.glossary}/dictionaries?source_lang=EN&target_lang=DE",
        {},
        204,
    ),
    "deepl_v3.delete_glossary": (GLOSSARY_WRITE, "DELETE", lambda w: f"/v3/glossaries/{w.glossary}", {}, 204),
    "segments.get_segments": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.done_job}/translations/de/segments", {}, 200),
    "segments.edit_segment": (
        TRANSLATE,
        "PATCH",
        lambda w: f"/v1/jobs/{w.done_job}/translations/de/segments/s1",
        {"json": {"target": "Matrix!"}, "if_match": '"v1"'},
        200,
    ),
    "segments.get_suggestions": (
        TRANSLATE,
        "GET",
        lambda w: f"/v1/jobs/{w.done_job}/translations/de/segments/s1/suggestions",
        {},
        200,
    ),
    "segments.approve_translation": (
        REVIEW,
        "POST",
        lambda w: f"/v1/jobs/{w.done_job}/translations/de/approval",
        {"if_match": '"v1"'},
        200,
    ),
    "segments.export_xliff": (TRANSLATE, "GET", lambda w: f"/v1/jobs/{w.done_job}/translations/de/xliff", {}, 200),
    "segments.import_xliff": (
        TRANSLATE,
        "PUT",
        lambda w: f"/v1/jobs/{w.done_job}/translations/de/xliff",
        lambda w: {"data": w.xliff, "if_match": '"v1"'},
        200,
    ),
    "memories.list_memories": (TRANSLATE, "GET", lambda w: "/v1/memories", {}, 200),
    "memories.list_entries": (TRANSLATE, "GET", lambda w: "/v1/memories/en/de/entries", {}, 200),
    "memories.delete_entry": (REVIEW, "DELETE", lambda w: f"/v1/memories/en/de/entries/{w.memory_entry.id}", {}, 204),
    "memories.export_tmx": (TRANSLATE, "GET", lambda w: "/v1/memories/en/de/tmx", {}, 200),
    "memories.import_tmx": (
        REVIEW,
        "POST",
        lambda w: "/v1/memories/en/de/tmx",
        {"data": export_tmx([Entry("Hello.", "Hallo.")], "en", "de")},
        200,
    ),
    "deepl_memories.list_memories": (TRANSLATE, "GET", lambda w: "/v3/translation_memories", {}, 200),
    "deepl_memories.get_memory": (TRANSLATE, "GET", lambda w: "/v3/translation_memories/tm-en-de", {}, 200),
    "deepl_memories.list_segments": (TRANSLATE, "GET", lambda w: "/v3/translation_memories/tm-en-de/segments", {}, 200),
    "deepl_memories.delete_memory": (REVIEW, "DELETE", lambda w: "/v3/translation_memories/tm-en-de", {}, 204),
    "libre.translate": (
        TRANSLATE,
        "POST",
        lambda w: "/translate",
        {"data": {"q": "Hi.", "source": "en", "target": "de"}},
        503,
    ),
    "libre.detect": (TRANSLATE, "POST", lambda w: "/detect", {"data": {"q": "Hello there."}}, 503),
    "libre.translate_file": (
        TRANSLATE,
        "POST",
        lambda w: "/translate_file",
        lambda w: {"data": {"source": "en", "target": "de", "file": (io.BytesIO(b"A short text."), "story.txt")}},
        200,
    ),
    "libre.languages": (PUBLIC, "GET", lambda w: "/languages", {}, 200),
    "libre.frontend_settings": (PUBLIC, "GET", lambda w: "/frontend/settings", {}, 200),
    "libre.download_file": (PUBLIC, "GET", lambda w: "/download_file/nosuchjob.story.txt", {}, 404),
}

CALLERS = ["no key", "wrong key", "revoked key", *ROLES]


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(5, interactive_timeout_seconds=0.1, ready_check_timeout_seconds=0.1)


@pytest.fixture(scope="module")
def keys(app) -> dict[str, str]:
    """One key per caller of the matrix, all in TENANT."""
    store = KeyStore(app.extensions["newsroom"].redis)
    made = {role: store.create(f"matrix {role}", [role], TENANT, "unlimited", "unlimited").secret for role in ROLES}
    revoked = store.create("matrix revoked", [ADMIN], TENANT)
    store.revoke(revoked.key.id)
    made["revoked key"] = revoked.secret
    made["wrong key"] = made[ADMIN][:-4] + "abcd"  # well-formed, but not a key that was issued
    return made


def test_every_endpoint_is_in_the_table_with_the_role_it_declares(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    # The web console's pages are open at the key layer: an editor signs in with a key, and
    # the pages call the API with it (tests/test_console.py checks who may do what there).
    console = {endpoint for endpoint in endpoints if endpoint.startswith("console.")}
    assert console and all(endpoint_role(app, endpoint)[0] for endpoint in console)
    assert endpoints - console - {"openapi.swagger_ui_oauth_redirect", "static"} == set(ENDPOINTS)
    for endpoint, (role, *_rest) in ENDPOINTS.items():
        public, declared = endpoint_role(app, endpoint)
        assert (PUBLIC if public else declared) == role, endpoint


def test_an_endpoint_without_a_declared_role_stops_the_app(app):
    from apiflask import APIFlask

    from service.auth import check_declarations

    bare = APIFlask("bare")
    bare.add_url_rule("/v1/forgotten", "forgotten", lambda: "open?")
    with pytest.raises(RuntimeError, match="forgotten"):
        check_declarations(bare)


def _allowed(role, caller: str) -> bool:
    if role in (PUBLIC, ANY_KEY):
        return caller in ROLES or role == PUBLIC
    return caller in ROLES and (caller == ADMIN or caller == role or (caller, role) == (GLOSSARY_WRITE, GLOSSARY_READ))


@pytest.fixture(scope="module")
def shared_world(app, keys):
    """For refused requests: they change nothing, so they can share one world."""
    return World(app, _admin_client(app, keys))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_matrix(app, keys, shared_world, endpoint, caller):
    role, method, path, options, allowed_status = ENDPOINTS[endpoint]
    client = app.test_client()
    # An allowed request may change its world (delete, revoke, cancel): it gets a fresh one.
    world = World(app, _admin_client(app, keys)) if _allowed(role, caller) else shared_world
    options = dict(options(world) if callable(options) else options)
    headers = {"If-Match": world.etag} if options.pop("etag", False) else {}
    if "if_match" in options:
        headers["If-Match"] = options.pop("if_match")
    if caller != "no key":
        headers["Authorization"] = f"Bearer {keys[caller]}"
    response = client.open(path(world), method=method, headers=headers, **options)

    if _allowed(role, caller):
        assert response.status_code == allowed_status, response.get_data(as_text=True)
    elif endpoint.startswith(("deepl.", "deepl_v3.", "deepl_memories.", "libre.")):
        _refused_in_dialect(
            "libre" if endpoint.startswith("libre.") else "deepl", response, response.get_json(), caller, role
        )
    elif caller in ROLES:
        _refused_for_role(response, role)
    else:
        _refused_for_key(response, caller)


def _refused_for_role(response, role: str) -> None:
    """A valid key without the role: 403, a problem naming the role, no challenge."""
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.status_code == 403
    assert body["type"].endswith("/missing-role") and body["title"] == "Role required"
    assert body["required_role"] == role and role in body["detail"]
    assert "WWW-Authenticate" not in response.headers


def _refused_for_key(response, caller: str) -> None:
    """No key, a wrong one or a revoked one: 401, a problem, and a Bearer challenge."""
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.status_code == 401
    expected = {
        "no key": ("missing-api-key", "API key required"),
        "wrong key": ("invalid-api-key", "Invalid API key"),
        "revoked key": ("revoked-api-key", "API key revoked"),
    }[caller]
    assert body["type"].endswith("/" + expected[0]) and body["title"] == expected[1]
    assert body["status"] == 401 and body["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="newsroom-translate"')
    assert ('error="invalid_token"' in challenge) == (caller != "no key")


def _refused_in_dialect(api: str, response, body: dict, caller: str, role) -> None:
    """The compatibility APIs refuse as their clients expect: DeepL 403 {"message"},
    LibreTranslate 400 (no key) or 403 {"error"}; never a challenge header."""
    assert "WWW-Authenticate" not in response.headers
    if api == "deepl":
        assert response.status_code == 403 and set(body) == {"message"}
        assert (role in body["message"]) if caller in ROLES else body["message"]
    else:
        assert set(body) == {"error"}
        if caller == "no key":
            assert (response.status_code, body["error"]) == (
                400,
                "Please contact the server operator to get an API key",
            )
        elif caller in ROLES:
            assert response.status_code == 403 and role in body["error"]
        else:
            assert (response.status_code, body["error"]) == (403, "Invalid API key")


def test_refused_requests_changed_nothing(app, keys, shared_world):
    """Runs after the matrix: every refused write left the shared world as it was."""
    admin = _admin_client(app, keys)
    glossary = admin.get(f"/v1/glossaries/{shared_world.glossary}")
    assert glossary.status_code == 200 and glossary.get_json()["version"] == 1
    assert admin.get(f"/v1/jobs/{shared_world.queued_job}").get_json()["state"] == "queued"
    assert admin.get(f"/v1/keys/{shared_world.other_key}").get_json()["revoked"] is False
    assert admin.get(f"/v1/keys/{shared_world.other_key}/audit").get_json()["items"] == []


def _admin_client(app, keys):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {keys[ADMIN]}"
    return client


def test_other_key_forms_are_accepted(app, keys):
    """DeepL's header and, on LibreTranslate's endpoints only, its api_key field reach the same lookup."""
    client = app.test_client()
    key = keys[TRANSLATE]
    assert client.get("/v1/languages", headers={"Authorization": f"DeepL-Auth-Key {key}"}).status_code == 200
    assert client.post(f"/detect?api_key={key}", data={"q": "Hello there."}).status_code == 503  # found; no worker
    assert client.post("/detect", data={"q": "Hello there.", "api_key": key}).status_code == 503
    assert client.post("/detect", json={"q": "Hello there.", "api_key": key}).status_code == 503
    # Elsewhere a key in the URL or body is not looked at (it would end up in logs and Referers).
    assert client.get(f"/v1/languages?api_key={key}").status_code == 401
    assert client.get(f"/v1/keys?api_key={keys[ADMIN]}").status_code == 401
    assert client.post("/v1/jobs", json={**job_body(), "api_key": key}).status_code == 401
    assert client.get("/v1/languages", headers={"Authorization": f"Basic {key}"}).status_code == 401


def test_openapi_declares_the_scheme_and_each_operations_role(app):
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    assert spec["paths"]["/v1/jobs"]["post"]["security"] == [{"ApiKeyAuth": [TRANSLATE]}]
    assert spec["paths"]["/v1/keys"]["get"]["security"] == [{"ApiKeyAuth": [ADMIN]}]
    assert spec["paths"]["/v1/languages"]["get"]["security"] == [{"ApiKeyAuth": []}]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert {"401", "403", "429"} <= set(spec["paths"]["/v1/glossaries/{glossary_id}"]["patch"]["responses"])
