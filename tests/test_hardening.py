"""Issue 23, the attack on a loopback stack with keys of two tenants: one test
(or a few) per finding, each failing on the code before its fix. Real app,
real Redis (database 27), no workers."""

from __future__ import annotations

import io
import json
import os
import re
import stat

import pytest
from flask import Response
from werkzeug.test import EnvironBuilder, run_wsgi_app

from access import KeyStore
from config import Settings
from tests.helpers import WEBHOOK_SECRET, job_body, keyed_client


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(
        29,
        interactive_timeout_seconds=0.1,
        ready_check_timeout_seconds=0.1,
        webhook_secret=WEBHOOK_SECRET,
        webhook_allowed_hosts=("127.0.0.1:9",),
    )


# -- 12: a chunked body over the limit ------------------------------------------------------------


def _chunked(client, path: str, body: bytes):
    """A body as gunicorn hands on a chunked one: no Content-Length, the stream
    terminated by the server. (The test client would add a Content-Length.)"""
    environ = EnvironBuilder(
        path,
        method="POST",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked", "Authorization": client.environ_base["HTTP_AUTHORIZATION"]},
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    body, status, headers = run_wsgi_app(client.application, environ, buffered=True)
    return Response(b"".join(body), status, headers)


def test_a_chunked_body_over_the_limit_is_a_413_like_one_with_a_content_length(app):
    client = keyed_client(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    article = job_body()
    article["article"]["body"] = "Word. " * (3 * limit // 6)
    body = json.dumps(article).encode()
    assert client.post("/v1/jobs", data=body, content_type="application/json").status_code == 413
    response = _chunked(client, "/v1/jobs", body)
    assert response.status_code == 413, response.get_json()
    assert response.get_json()["detail"] == f"The request body exceeds the limit of {limit} bytes."


def test_a_chunked_body_within_the_limit_is_read_whole(app):
    client = keyed_client(app)
    response = _chunked(client, "/v1/jobs", json.dumps(job_body()).encode())
    assert response.status_code == 202, response.get_json()


# -- 11: terminal escapes in the audit trail ------------------------------------------------------


def test_keys_audit_prints_control_characters_escaped(app):
    client = keyed_client(app)
    assert client.delete("/v1/jobs/%1b%5b2J%1b%5d0;owned%07").status_code == 404  # audited: a write
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["keys", "audit", client.api_key.key.id]).output
    assert "\x1b" not in printed and "\x07" not in printed
    assert "\\x1b[2J\\x1b]0;owned\\x07" in printed


# -- 9: the webhook address filter ----------------------------------------------------------------
# Literal addresses only: getaddrinfo returns them without asking DNS, and nothing is sent.


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[64:ff9b:1::a00:1]/hook",  # local-use NAT64 (RFC 8215) of 10.0.0.1
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
        "http://224.0.0.1/hook",  # multicast
        "http://[ff02::1]/hook",  # IPv6 multicast
        "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    ],
)
def test_callback_addresses_that_lead_inside_are_refused(url):
    from jobs.webhooks import UnsafeCallbackURL, check_callback_url

    with pytest.raises(UnsafeCallbackURL, match="non-public"):
        check_callback_url(url)


def test_a_public_address_still_passes_the_filter():
    from jobs.webhooks import check_callback_url

    check_callback_url("http://[2a00:1450:4001:80b::200e]/hook")
    check_callback_url("http://93.184.216.34/hook")


# -- 4 and 6: console sessions hold no key; the cookie is Secure over HTTPS ----------------------


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def _sign_in(client, key: str, **options):
    form = client.get("/console/sign-in", **options)
    return client.post("/console/sign-in", data={"csrf_token": _csrf(form), "key": key}, **options)


def _redis_dump(app) -> bytes:
    """Every key and value in the app's database, as a copy of its files would show them
    (DUMP compresses long strings, so the values are read by type)."""
    store = app.extensions["newsroom"].redis
    read = {
        b"string": store.get,
        b"hash": lambda k: store.hgetall(k),
        b"list": lambda k: store.lrange(k, 0, -1),
        b"set": store.smembers,
        b"zset": lambda k: store.zrange(k, 0, -1),
    }
    return b"\n".join(k + b" " + repr(read.get(store.type(k), lambda _k: b"")(k)).encode() for k in store.keys())


def test_a_console_session_keeps_no_key_in_redis_and_ends_with_the_key(app):
    admin = keyed_client(app)
    new = KeyStore(app.extensions["newsroom"].redis).create("editor", ["admin"])
    browser = app.test_client()
    assert _sign_in(browser, new.secret).status_code == 302
    assert browser.get("/console/glossaries").status_code == 200
    dump = _redis_dump(app)
    assert new.secret.encode() not in dump and new.secret.split("_")[-1].encode() not in dump
    # The pages still act as the key: its writes are audited under it.
    assert browser.get("/console/jobs").status_code == 200
    assert admin.delete(f"/v1/keys/{new.key.id}").status_code == 200
    refused = browser.get("/console/glossaries")
    assert refused.status_code == 401 and "revoked" in refused.get_data(as_text=True)
    assert not app.extensions["newsroom"].redis.keys("console:session:*")


def test_the_in_process_key_cannot_be_sent_by_a_client(app):
    new = KeyStore(app.extensions["newsroom"].redis).create("admin", ["admin"])
    client = app.test_client()
    # Header names become HTTP_* in the environ: never the console's entry.
    response = client.get(
        "/v1/keys", headers={"newsroom.in_process_key_id": new.key.id, "Newsroom-In-Process-Key-Id": new.key.id}
    )
    assert response.status_code == 401


def test_over_https_the_console_cookie_is_secure_and_hsts_is_sent(app):
    new = KeyStore(app.extensions["newsroom"].redis).create("editor", ["translate"])
    browser = app.test_client()
    # Over HTTPS, Flask-WTF also wants a same-origin Referer.
    signed_in = _sign_in(
        browser, new.secret, base_url="https://localhost", headers={"Referer": "https://localhost/console/sign-in"}
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    assert "Secure" in [part.strip() for part in signed_in.headers["Set-Cookie"].split(";")]
    assert signed_in.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app.test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers
    over_http = _sign_in(app.test_client(), new.secret)
    assert "Secure" not in over_http.headers["Set-Cookie"]


# -- 7: the DeepL document's Content-Disposition ------------------------------------------------


def _finished_document(app, client, filename: str) -> tuple[str, str]:
    """A DeepL document upload, translated as a worker would (no worker runs here)."""
    uploaded = client.post(
        "/v2/document",
        data={"target_lang": "DE", "source_lang": "EN", "file": (io.BytesIO(b"A short text."), filename)},
    )
    assert uploaded.status_code == 200, uploaded.get_json()
    document_id, document_key = uploaded.get_json()["document_id"], uploaded.get_json()["document_key"]
    jobs = app.extensions["newsroom"].jobs
    claim = jobs.leases.claim(document_id, "de")
    assert jobs.leases.succeed(
        document_id,
        "de",
        claim.holder,
        {"title": "", "body": "Ein kurzer Text.", "format": "html", "model": []},
        None,
        {},
    )
    return document_id, document_key


@pytest.mark.parametrize(
    "filename, expected",
    [
        # As browsers and httpx send a quote in a multipart file name (%22); the server reads
        # a"; filename*=UTF-8''evil.exe; x=".html
        ("a%22; filename*=UTF-8''evil.exe; x=%22.html", 'attachment; filename="a___filename_UTF-8evil.exe__x_.html"'),
        (
            "статья.html",
            "attachment; filename=\"document.html\"; filename*=UTF-8''%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F.html",
        ),
        ("story.html", 'attachment; filename="story.html"'),
    ],
)
def test_the_document_result_names_the_file_in_one_safe_parameter(app, filename, expected):
    client = keyed_client(app)
    document_id, document_key = _finished_document(app, client, filename)
    result = client.post(f"/v2/document/{document_id}/result", json={"document_key": document_key})
    assert result.status_code == 200, result.get_data(as_text=True)
    disposition = result.headers["Content-Disposition"]
    assert disposition == expected and disposition.isascii()


# -- the review page escaped character references twice -------------------------------------------


@pytest.mark.parametrize(
    "fmt, source", [("html", "<p>Use &lt;img&gt; &amp; Kyiv.</p>"), ("markdown", "Use &lt;img&gt; &amp; Kyiv.")]
)
def test_the_review_shows_character_references_escaped_once(fmt, source):
    from glossary.entries import Entry
    from service.console.review import aligned_units, review_rows

    pairs = aligned_units(source, source.replace("Kyiv", "Kyjiw"), fmt)
    assert pairs == [("Use <img> & Kyiv.", "Use <img> & Kyjiw.")]
    row = review_rows(pairs, [Entry("Kyiv", translations={"de": "Kyjiw"}, id="k")], "de")[0]
    assert str(row.source) == 'Use &lt;img&gt; &amp; <mark class="term" data-entry="k">Kyiv</mark>.'
    assert "&amp;lt;" not in str(row.target)


# -- 5: formulas in glossary exports -------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://127.0.0.1/x","click")', "+44 20", "-ism", "@SUM(A1)", "'=already quoted"]


def _cells_of(text: str, separator: str) -> list[str]:
    import csv as csv_module

    rows = (
        csv_module.reader(io.StringIO(text)) if separator == "," else (line.split("\t") for line in text.splitlines())
    )
    return [cell for row in rows for cell in row]


def test_glossary_exports_neutralise_formulas_and_import_back_the_same(app):
    from glossary.formats import import_entries

    client = keyed_client(app)
    entries = [{"term": term, "translations": {"de": term}, "note": "=1+1"} for term in FORMULAS]
    created = client.post("/v1/glossaries", json={"name": "formulas", "source_lang": "en", "entries": entries})
    assert created.status_code == 201, created.get_json()
    glossary_id = created.get_json()["id"]
    exports = {
        ",": client.get(f"/v1/glossaries/{glossary_id}/export?format=csv").get_data(as_text=True),
        "\t": client.get(f"/v1/glossaries/{glossary_id}/export?format=tsv&target_lang=de").get_data(as_text=True),
        "deepl": client.get(f"/v2/glossaries/{glossary_id}.de/entries").get_data(as_text=True),
    }
    for separator, text in exports.items():
        for cell in _cells_of(text, "," if separator == "," else "\t"):
            assert not cell or cell[0] not in "=+-@\t\r", (separator, cell)
    csv_back = import_entries(exports[","], "csv", "en")
    assert [(e.term, e.translations["de"], e.note) for e in csv_back] == [(t, t, "=1+1") for t in FORMULAS]
    tsv_back = import_entries(exports["deepl"], "tsv", "en", "de")
    assert [(e.term, e.translations["de"]) for e in tsv_back] == [(t, t) for t in FORMULAS]
    # JSON is not a spreadsheet: it has the terms as they are.
    assert [e["term"] for e in client.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"]] == FORMULAS


# -- 8: credentials in logs and in the job status --------------------------------------------------


def test_log_lines_lose_the_credentials_urls_carry(tmp_path):
    import logging

    from telemetry import logs

    path = tmp_path / "worker.log"
    handler = logs.handler(fmt="text", filename=str(path))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning('HTTP Request: POST %s "HTTP/1.1 200 OK"', "http://cms:hunter2@127.0.0.1:9/hook?token=abc123")
        logger.warning("GET /download_file/%s 200", "d2f1c0ffee.story.txt")
        logger.warning("GET /translate?api_key=nt_live_abcdefgh_secret 200")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = path.read_text()
    for secret in ("hunter2", "abc123", "d2f1c0ffee", "nt_live_abcdefgh_secret", "cms:"):
        assert secret not in text, text
    assert "http://<redacted>@127.0.0.1:9/hook?<redacted>" in text and "/download_file/<redacted> 200" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_world_readable_log_file_is_closed_when_opened(tmp_path):
    from telemetry import logs

    path = tmp_path / "api.log"
    path.write_text("")
    path.chmod(0o644)
    logs.handler(filename=str(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_api_access_line_of_a_download_does_not_show_its_url(app, caplog):
    import logging

    from telemetry import logs

    caplog.handler.addFilter(logs.RedactingFilter())
    with caplog.at_level(logging.INFO):
        app.test_client().get("/download_file/0123456789abcdef.story.txt")
    lines = [r.getMessage() for r in caplog.records if "download_file" in r.getMessage()]
    assert lines and not any("0123456789abcdef" in line for line in lines)


def test_the_scripts_make_private_files(tmp_path):
    import subprocess

    from tests.helpers import ROOT

    (tmp_path / "var/log").mkdir(parents=True)
    (tmp_path / "var/log/api.log").write_text("")
    (tmp_path / "var/log/api.log").chmod(0o644)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    umask = subprocess.run(
        ["bash", "-c", f". {ROOT}/scripts/env.sh && umask && touch var/log/new.log"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert umask == "0027"
    assert stat.S_IMODE((tmp_path / "var/log/api.log").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "var/log/new.log").stat().st_mode) == 0o640
    from launcher.stack import UMASKS

    assert UMASKS["redis"] == 0o077  # Redis's data and append-only files: its user only


def test_the_job_status_shows_no_webhook_password(app):
    client = keyed_client(app)
    submitted = client.post("/v1/jobs", json={**job_body(), "callback_url": "http://cms:hunter2@127.0.0.1:9/hook"})
    assert submitted.status_code == 202, submitted.get_json()
    status = client.get(f"/v1/jobs/{submitted.get_json()['id']}").get_json()
    assert status["webhook"]["url"] == "http://cms:<redacted>@127.0.0.1:9/hook"


def test_without_password_keeps_what_is_not_a_password():
    from conventions import without_password

    assert without_password("https://cms:hunter2@cms.example/hook?x=1") == "https://cms:<redacted>@cms.example/hook?x=1"
    assert without_password("https://cms.example/a@b") == "https://cms.example/a@b"
    assert without_password("https://token@cms.example/") == "https://token@cms.example/"


# -- 2: the download of an unfinished LibreTranslate file ------------------------------------------


def _libre_file(client) -> str:
    response = client.post(
        "/translate_file", data={"source": "en", "target": "de", "file": (io.BytesIO(b"A short text."), "story.txt")}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["translatedFileUrl"].split("localhost", 1)[1]


def test_the_download_of_an_unfinished_file_answers_at_once_and_is_rate_limited(app):
    import time

    from service.libre import DOWNLOAD_RATE

    path = _libre_file(keyed_client(app))  # no worker: it stays queued
    client = app.test_client()
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < 1
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert set(response.get_json()) == {"error"} and "still being translated" in response.get_json()["error"]
    per_minute = int(DOWNLOAD_RATE.split("/")[0])
    statuses = [client.get(path).status_code for _ in range(per_minute)]
    assert statuses[: per_minute - 1] == [503] * (per_minute - 1) and statuses[-1] == 429
    limited = client.get(path)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"].startswith("Slowdown")


def test_translate_file_waits_with_a_bounded_number_of_threads(make_app):
    """LibreTranslate's clients download at once: /translate_file waits for the job
    (here up to 1.5 s), but only while a waiting place is free; else it answers at once."""
    import time

    from service import libre

    waiting = make_app(29, flush=False, interactive_timeout_seconds=1.5)
    started = time.monotonic()
    _libre_file(keyed_client(waiting))
    assert 1.4 < time.monotonic() - started < 3
    taken = [libre.FILE_WAITERS.acquire(blocking=False) for _ in range(2)]
    try:
        assert all(taken)
        started = time.monotonic()
        _libre_file(keyed_client(waiting))
        assert time.monotonic() - started < 1
    finally:
        for _ in taken:
            libre.FILE_WAITERS.release()


# -- 3: the segment cache told one tenant what another translated ---------------------------------


class _ReversingEngine:
    """A one-pair engine (translation.engines.base.Engine) that reverses its texts and counts its calls."""

    name = "reverse"

    def __init__(self):
        self.calls = 0

    def available(self):
        from translation.engines import ModelInfo

        return [ModelInfo(self.name, "reverse-en_de", "1.0", "en", "de")]

    def load(self, info):
        engine = self

        class Model:
            cache_key = "reverse-en_de@1.0"

            def translate(self, texts):
                engine.calls += 1
                return [t[::-1] for t in texts]

            def describe(self):
                return info.describe()

        return Model()


def test_one_tenants_translations_are_no_cache_hits_for_another():
    import fakeredis

    from glossary.store import GlossaryStore
    from jobs.pipeline import Pipeline
    from jobs.matchers import TermMatchers
    from jobs.short import ShortTexts
    from jobs.store import JobStore
    from translation.cache import SegmentCache
    from translation.engines import Router

    client = fakeredis.FakeRedis()
    jobs = JobStore(client)
    pipeline = Pipeline(Router([_ReversingEngine()], cache=SegmentCache(client, 3600)), jobs, GlossaryStore(client))
    sentence = "The minister resigned on Tuesday evening."

    def cache_hits(tenant: str) -> int:
        job_id = jobs.create(
            {
                "source_lang": "en",
                "target_langs": ["de"],
                "owner": {"key": "k", "prefix": "nt_live_k", "tenant": tenant},
                "article": {"title": "", "body": sentence, "format": "text"},
            }
        )
        assert pipeline.run(job_id, "de") == "succeeded"
        return jobs.language(job_id, "de").stats["cache_hits"]

    assert cache_hits("desk-a") == 0
    assert cache_hits("desk-b") == 0  # the oracle: 1 before, when desk-a had translated the sentence
    assert cache_hits("desk-a") == 1  # within a tenant the cache still works
    short = ShortTexts(pipeline.router, TermMatchers(GlossaryStore(client)), detector=None)
    calls = pipeline.router.engines[0].calls
    short.translate({"texts": [sentence], "source": "en", "target": "de", "tenant": "desk-c"})
    assert pipeline.router.engines[0].calls == calls + 1  # a model call: not desk-a's cached sentence


# -- 10: the shared webhook secret let any tenant sign for another --------------------------------


def test_events_are_signed_with_a_secret_of_the_jobs_tenant():
    import fakeredis

    from jobs.store import JobStore
    from jobs.webhooks import WebhookPolicy, attempt_delivery, tenant_secret, verify

    jobs = JobStore(fakeredis.FakeRedis())
    sent = []
    policy = WebhookPolicy(WEBHOOK_SECRET)
    event = {"id": "e1", "type": "job.succeeded", "external_id": "cms-1"}
    for tenant in ("desk-a", "desk-b"):
        job_id = jobs.create(
            {
                "source_lang": "en",
                "target_langs": ["de"],
                "callback_url": "https://cms.example/hook",
                "owner": {"key": "k", "prefix": "nt_live_k", "tenant": tenant},
                "article": {"title": "t", "body": "b", "format": "text"},
            }
        )
        attempt_delivery(
            jobs,
            job_id,
            event,
            1,
            policy,
            send=lambda url, body, secret, _hosts: sent.append((url, body, secret)) or 200,
        )
    (_, _, secret_a), (_, _, secret_b) = sent
    assert secret_a == tenant_secret(WEBHOOK_SECRET, "desk-a") and secret_b == tenant_secret(WEBHOOK_SECRET, "desk-b")
    assert len({secret_a, secret_b, WEBHOOK_SECRET}) == 3
    # desk-b's CMS, verifying with its own secret, refuses an event signed for desk-a.
    from jobs.webhooks import sign

    body = b'{"external_id":"cms-1"}'
    assert not verify(secret_b, body, sign(secret_a, body, "https://cms.example/hook"), "https://cms.example/hook")


def test_the_cli_prints_a_tenants_webhook_secret(app):
    from jobs.webhooks import tenant_secret

    printed = app.test_cli_runner().invoke(args=["keys", "webhook-secret", "desk-a"])
    assert printed.exit_code == 0 and printed.output.strip() == tenant_secret(WEBHOOK_SECRET, "desk-a")
    # HKDF-SHA256 (RFC 5869), so a CMS in any language can check it: a fixed vector.
    assert tenant_secret("s" * 32, "desk-a") == tenant_secret("s" * 32, "desk-a") != tenant_secret("s" * 32, "desk-b")


# -- /readyz: open, fast, and no host names for everyone ------------------------------------------


def test_readyz_tells_everyone_ready_or_not_and_operators_why(make_app):
    import time

    app = make_app(29, flush=False, ready_check_timeout_seconds=0.5, metrics_token="m" * 32)
    anyone = app.test_client()
    answer = anyone.get("/readyz")
    assert answer.status_code == 503 and answer.get_json() == {"status": "not ready", "checks": {}}
    translator = keyed_client(app, ["translate"])
    assert translator.get("/readyz").get_json()["checks"] == {}
    for operator in (keyed_client(app), app.test_client()):
        headers = {} if operator.environ_base.get("HTTP_AUTHORIZATION") else {"Authorization": "Bearer " + "m" * 32}
        checks = operator.get("/readyz", headers=headers).get_json()["checks"]
        assert checks["redis"] is True and checks["workers"] == [] and checks["models"] > 0
    # The workers were asked (0.5 s) once: the next answers come from that verdict, at once.
    started = time.monotonic()
    for _ in range(10):
        assert anyone.get("/readyz").status_code == 503
    assert time.monotonic() - started < 0.5


# -- using a glossary is reading it ----------------------------------------------------------------


def test_a_job_may_use_only_glossaries_its_key_may_read(app):
    admin = keyed_client(app)
    created = admin.post(
        "/v1/glossaries",
        json={
            "name": "desk policy",
            "source_lang": "en",
            "entries": [{"term": "Kyiv", "translations": {"de": "Kyjiw"}}],
        },
    )
    glossary_id = created.get_json()["id"]
    translator = keyed_client(app, ["translate"])
    refused = translator.post("/v1/jobs", json=job_body(glossary_ids=[glossary_id]))
    assert refused.status_code == 403 and refused.get_json()["required_role"] == "glossary:read"
    deepl = translator.post(
        "/v2/translate", json={"text": ["Kyiv."], "source_lang": "EN", "target_lang": "DE", "glossary_id": glossary_id}
    )
    assert deepl.status_code == 403 and set(deepl.get_json()) == {"message"}
    # An inline glossary is the job's own: no role needed.
    inline = translator.post("/v1/jobs", json=job_body(glossary={"entries": [{"term": "Kyiv", "keep": True}]}))
    assert inline.status_code == 202, inline.get_json()
    reader = keyed_client(app, ["translate", "glossary:read"])
    assert reader.post("/v1/jobs", json=job_body(glossary_ids=[glossary_id])).status_code == 202


# -- 4: keys' own webhook secrets at rest -----------------------------------------------------------


def test_a_keys_webhook_secret_is_not_in_redis_but_derived_where_it_signs(app):
    from jobs.record import request_from_dict
    from jobs.webhooks import WebhookPolicy

    made = keyed_client(app, ["translate"], webhook_secret=True).api_key
    assert made.webhook_secret.startswith("whsec_")
    assert made.webhook_secret.encode() not in _redis_dump(app)
    assert made.webhook_secret.split("_", 1)[1].encode() not in _redis_dump(app)
    # What a worker signs with (its KeyStore knows WEBHOOK_SECRET): the secret the client was given.
    policy = WebhookPolicy(WEBHOOK_SECRET, key_secret=app.extensions["access"].keys.webhook_secret)
    assert (
        policy.secret_for(
            request_from_dict(
                {
                    "source_lang": "en",
                    "target_langs": ["de"],
                    "article": {"title": "", "body": "B.", "format": "text"},
                    "owner": {"key": made.key.id, "prefix": made.key.prefix, "tenant": made.key.tenant},
                }
            )
        )
        == made.webhook_secret
    )
    # Rotation keeps it; without WEBHOOK_SECRET nothing signs with it.
    rotated = app.extensions["access"].keys.rotate(made.key.id)
    assert app.extensions["access"].keys.webhook_secret(rotated.key.id) == made.webhook_secret
    assert KeyStore(app.extensions["newsroom"].redis).webhook_secret(rotated.key.id) is None


# -- 2, the other waits: short requests wait for the interactive worker, in bounded numbers ----------


def test_short_requests_answer_at_once_when_every_waiting_place_is_taken(make_app):
    import time

    app = make_app(29, flush=False, interactive_timeout_seconds=3)
    interactive = app.extensions["newsroom"].interactive
    taken = 0
    while interactive.waiting.acquire(blocking=False):
        taken += 1
    try:
        client = keyed_client(app)
        started = time.monotonic()
        deepl = client.post("/v2/translate", json={"text": ["Hi."], "source_lang": "EN", "target_lang": "DE"})
        libre = client.post("/translate", data={"q": "Hi.", "source": "en", "target": "de"})
        assert time.monotonic() - started < 1
        assert deepl.status_code == libre.status_code == 503 and deepl.headers["Retry-After"] == "1"
        assert "waiting place" in deepl.get_json()["message"] and "waiting place" in libre.get_json()["error"]
    finally:
        for _ in range(taken):
            interactive.waiting.release()
    assert taken == Settings.api_threads - 2  # all but two of the threads (API_THREADS)


def test_the_waiting_places_follow_the_api_threads(make_app):
    # All but two of an API process's threads (API_THREADS) may wait for a short request's answer.
    interactive = make_app(29, flush=False, api_threads=5).extensions["newsroom"].interactive
    taken = 0
    while interactive.waiting.acquire(blocking=False):
        taken += 1
    assert taken == 3
