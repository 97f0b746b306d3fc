"""The editorial loop through the API on a real Redis, the pipeline run in this
process over a small upper-casing engine (no worker processes: the whole path
is tests/test_editorial_e2e.py): segments with provenance, an edit with
If-Match (412, 428), approval by the `review` role and publishing on approval,
the memory reused by later jobs (and refused where it contradicts the
glossary), carried edits of a resubmitted article, XLIFF and TMX through
translate-toolkit, and one tenant's memory invisible to another."""

from __future__ import annotations

import time

import pytest
from translate.storage import tmx, xliff, xliff2
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G

from access import REVIEW, TRANSLATE
from jobs.pipeline import Pipeline
from translation.engines import ModelInfo, Router
from tests.helpers import assert_problem, keyed_client

DB = 31

BODY = (
    '<p>The allies met in <a href="https://news.example/vilnius">Vilnius</a> today. They agreed on a plan.</p>'
    "<p>A <em>second</em> paragraph follows. NATO leaders spoke.</p>"
)
ARTICLE = {"title": "Allies meet", "body": BODY, "format": "html"}


class UpperEngine:
    """Translates by upper-casing; records every text it was given."""

    name = "upper"

    def __init__(self):
        self.texts: list[str] = []

    def available(self):
        return [ModelInfo(self.name, "upper-en_de", "1.0", "en", "de")]

    def load(self, info):
        engine = self

        class Model:
            cache_key = "upper@1.0"

            def translate(self, texts):
                engine.texts.extend(texts)
                return [t.upper() for t in texts]

            def describe(self):
                return info.describe()

        return Model()


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(DB)


@pytest.fixture(scope="module")
def editor(app):
    return keyed_client(app, roles=(TRANSLATE,), tenant="desk-a", name="Ed Itor")


@pytest.fixture(scope="module")
def reviewer(app):
    return keyed_client(app, roles=(TRANSLATE, REVIEW), tenant="desk-a", name="Rae Viewer")


@pytest.fixture(scope="module")
def outsider(app):
    return keyed_client(app, roles=(TRANSLATE, REVIEW), tenant="desk-b", name="Other Desk")


@pytest.fixture
def engine():
    return UpperEngine()


@pytest.fixture
def run(app, engine):
    """Runs a job's languages here, as a worker would."""
    services = app.extensions["newsroom"]
    pipeline = Pipeline(Router([engine]), services.jobs, services.glossaries)

    def run_job(job_id: str) -> None:
        for lang in services.jobs.request(job_id).target_langs:
            assert pipeline.run(job_id, lang) == "succeeded"

    return run_job


def submit(client, article=ARTICLE, **extra) -> str:
    response = client.post("/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], "article": article, **extra})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def segments(client, job_id: str):
    response = client.get(f"/v1/jobs/{job_id}/translations/de/segments")
    assert response.status_code == 200, response.get_json()
    return response.get_json(), response.headers["ETag"]


def by_source(document: dict, start: str) -> dict:
    return next(s for s in document["segments"] if s["source"].startswith(start))


def test_segments_edit_approve_publish_and_reuse(app, editor, reviewer, run, engine):
    job_id = submit(editor, external_id="story-1", publish="on_approval")
    run(job_id)
    document, etag = segments(editor, job_id)
    assert etag == '"v1"' and document["review"]["state"] == "machine"
    assert [s["source"] for s in document["segments"]] == [
        "Allies meet",
        "The allies met in Vilnius today.",
        "They agreed on a plan.",
        "A second paragraph follows.",
        "NATO leaders spoke.",
    ]
    first = by_source(document, "The allies")
    assert first["provenance"]["kind"] == "machine" and first["provenance"]["engine"] == "upper"
    assert first["provenance"]["models"][0]["model"] == "upper-en_de"
    # The link's phrase, located in the machine translation.
    assert first["markup"] == [{"kind": "inline", "source": [18, 25], "target": [18, 25]}]
    # On approval: nothing published yet.
    assert editor.get("/v1/articles/story-1/de").status_code == 404

    # An editor corrects a sentence, moving the link's phrase with the words.
    target = "Die Verbündeten trafen sich heute in Vilnius."
    at = target.index("Vilnius")
    edited = editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/{first['id']}",
        json={"target": target, "inline": [[at, at + 7]]},
        headers={"If-Match": etag},
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.headers["ETag"] == '"v2"'
    segment = by_source(edited.get_json(), "The allies")
    assert segment["target"] == target and segment["provenance"]["kind"] == "human"
    assert segment["provenance"]["editor"] == {"key": editor.api_key.key.prefix, "name": "Ed Itor"}
    assert edited.get_json()["review"]["state"] == "edited"
    html = editor.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert (
        'Die Verbündeten trafen sich heute in <a href="https://news.example/vilnius">Vilnius</a>. '
        "THEY AGREED ON A PLAN."
    ) in html
    status = editor.get(f"/v1/jobs/{job_id}").get_json()
    assert status["publish"] == "on_approval" and status["languages"]["de"]["review"]["state"] == "edited"

    # A concurrent edit from the version before: 412; none named: 428.
    stale = editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s3", json={"target": "x"}, headers={"If-Match": etag}
    )
    assert assert_problem(stale, 412, "stale-version")["current_version"] == 2
    assert_problem(editor.patch(f"/v1/jobs/{job_id}/translations/de/segments/s3", json={"target": "x"}), 428)
    assert_problem(
        editor.patch(
            f"/v1/jobs/{job_id}/translations/de/segments/s99", json={"target": "x"}, headers={"If-Match": '"v2"'}
        ),
        404,
        "segment-not-found",
    )

    # Approving takes the review role.
    assert_problem(editor.post(f"/v1/jobs/{job_id}/translations/de/approval", headers={"If-Match": '"v2"'}), 403)
    approved = reviewer.post(f"/v1/jobs/{job_id}/translations/de/approval", headers={"If-Match": '"v2"'})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["published"] is True and body["review"]["state"] == "approved"
    assert body["review"]["approved"]["by"] == {"key": reviewer.api_key.key.prefix, "name": "Rae Viewer"}
    assert editor.get("/v1/articles/story-1/de").get_json()["revision"] == 1

    # A later job of the tenant takes every approved sentence from the memory: no model call.
    engine.texts.clear()
    later = submit(editor)
    run(later)
    assert engine.texts == []
    document, _ = segments(editor, later)
    assert {s["provenance"]["kind"] for s in document["segments"]} == {"memory"}
    assert by_source(document, "The allies")["target"] == target
    assert editor.get(f"/v1/jobs/{later}").get_json()["languages"]["de"]["stats"]["memory_hits"] == 5
    html = editor.get(f"/v1/jobs/{later}/translations/de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'heute in <a href="https://news.example/vilnius">Vilnius</a>.' in html

    # Fuzzy suggestions for a sentence like an approved one.
    near = submit(
        editor, article={"title": "Allies meet", "body": "The allies met in Vilnius yesterday.", "format": "text"}
    )
    run(near)
    suggestions = editor.get(f"/v1/jobs/{near}/translations/de/segments/s2/suggestions").get_json()
    assert suggestions["suggestions"][0]["entry"]["target"] == target
    assert 75 <= suggestions["suggestions"][0]["score"] < 100


def test_a_resubmitted_article_keeps_the_edits_of_unchanged_sentences(app, editor, run, engine):
    job_id = submit(editor, external_id="story-2")
    run(job_id)
    _, etag = segments(editor, job_id)
    editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s3",
        json={"target": "Sie einigten sich."},
        headers={"If-Match": etag},
    )
    _, etag = segments(editor, job_id)
    editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s4",
        json={"target": "Ein zweiter Absatz folgt."},
        headers={"If-Match": etag},
    )
    # The next revision changes the fourth sentence: its edit no longer applies; the third's does.
    engine.texts.clear()
    revised = submit(editor, article={**ARTICLE, "body": BODY.replace("follows", "comes next")}, external_id="story-2")
    run(revised)
    document, _ = segments(editor, revised)
    kept = by_source(document, "They agreed")
    assert kept["target"] == "Sie einigten sich." and kept["provenance"]["kind"] == "human"
    assert kept["provenance"]["carried_from"] == job_id
    assert by_source(document, "A second")["target"] == "A SECOND PARAGRAPH COMES NEXT."
    assert "They agreed on a plan." not in engine.texts and "A second paragraph comes next." in engine.texts
    assert editor.get(f"/v1/jobs/{revised}").get_json()["languages"]["de"]["stats"]["human_kept"] == 1


def test_xliff_round_trip_through_translate_toolkit(app, editor, run):
    job_id = submit(
        editor, article={"title": "Xliff", "body": "<p>Read <em>this</em> now. Then stop.</p>", "format": "html"}
    )
    run(job_id)
    for version, storage in (("1.2", xliff.xlifffile), ("2.0", xliff2.Xliff2File)):
        _, etag = segments(editor, job_id)
        exported = editor.get(f"/v1/jobs/{job_id}/translations/de/xliff?version={version}")
        assert exported.status_code == 200 and exported.mimetype == "application/xliff+xml"
        text = exported.get_data()
        assert (b'version="1.2"' if version == "1.2" else b'version="2.0"') in text
        assert (b'<g id="i1">this</g>' if version == "1.2" else b'<pc id="i1">this</pc>') in text
        store = storage.parsestring(
            text if version == "1.2" else text.replace(b"<pc ", b"<g ").replace(b"</pc>", b"</g>")
        )
        unit = next(u for u in store.units if u.source.startswith("Read"))
        word = "jetzt" if version == "1.2" else "sofort"
        unit.rich_target = [StringElem([f"Lies {word} ", G(id="i1", sub=["das"]), "."])]
        changed = bytes(store)
        if version == "2.0":
            changed = changed.replace(b"<g ", b"<pc ").replace(b"</g>", b"</pc>")
        imported = editor.put(
            f"/v1/jobs/{job_id}/translations/de/xliff",
            data=changed,
            headers={"If-Match": etag, "Content-Type": "application/xliff+xml"},
        )
        assert imported.status_code == 200, imported.get_json()
        segment = by_source(imported.get_json(), "Read")
        assert segment["target"] == f"Lies {word} das." and segment["provenance"]["kind"] == "human"
        html = editor.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/html"})
        assert f"Lies {word} <em>das</em>." in html.get_data(as_text=True)
    assert_problem(
        editor.put(f"/v1/jobs/{job_id}/translations/de/xliff", data=b"<nope/>", headers={"If-Match": '"v3"'}),
        422,
        "invalid-xliff",
    )


def test_tmx_import_is_used_by_the_next_job_unless_it_contradicts_the_glossary(app, editor, reviewer, run, engine):
    store = tmx.tmxfile(sourcelanguage="en", targetlanguage="de")
    for source, target in (
        ("Markets rallied on Monday.", "Die Märkte legten am Montag zu."),
        ("The NATO summit ended.", "Der Gipfel endete."),
    ):
        unit = store.addsourceunit(source)
        unit.target = target
    assert_problem(editor.post("/v1/memories/en/de/tmx", data=bytes(store)), 403)
    imported = reviewer.post("/v1/memories/en/de/tmx", data=bytes(store))
    assert imported.status_code == 200 and imported.get_json()["imported"] == 2
    glossary = {"entries": [{"term": "NATO", "translations": {"de": "NATO"}}]}
    engine.texts.clear()
    job_id = submit(
        editor,
        article={"title": "Markets", "body": "Markets rallied on Monday. The NATO summit ended.", "format": "text"},
        glossary=glossary,
    )
    run(job_id)
    document, _ = segments(editor, job_id)
    reused = by_source(document, "Markets rallied")
    assert reused["target"] == "Die Märkte legten am Montag zu."
    assert reused["provenance"]["kind"] == "memory" and reused["provenance"]["origin"] == "imported"
    refused = by_source(document, "The NATO")
    assert refused["provenance"]["kind"] == "machine"
    assert refused["provenance"]["memory_rejected"]["missing"] == ["NATO"]
    assert "Markets rallied on Monday." not in engine.texts
    stats = editor.get(f"/v1/jobs/{job_id}").get_json()["languages"]["de"]["stats"]
    assert stats["memory_hits"] == 1 and stats["memory_rejected"] == 1

    listed = editor.get("/v1/memories/en/de/entries?q=märkte").get_json()
    assert listed["total"] == 1
    entry = listed["items"][0]
    exported = editor.get("/v1/memories/en/de/tmx")
    assert "Die Märkte legten am Montag zu." in exported.get_data(as_text=True)
    assert reviewer.delete(f"/v1/memories/en/de/entries/{entry['id']}").status_code == 204
    assert_problem(reviewer.delete(f"/v1/memories/en/de/entries/{entry['id']}"), 404)


def test_one_tenant_never_sees_another_tenants_memory(app, editor, reviewer, outsider, run, engine):
    job_id = submit(editor, article={"title": "Secret", "body": "The minister resigned tonight.", "format": "text"})
    run(job_id)
    _, etag = segments(editor, job_id)
    editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s2",
        json={"target": "Der Minister trat zurück."},
        headers={"If-Match": etag},
    )
    assert reviewer.post(f"/v1/jobs/{job_id}/translations/de/approval", headers={"If-Match": '"v2"'}).status_code == 200
    # Tenant B: the same sentence goes to the model, no suggestion, no statistic, no memory listed.
    engine.texts.clear()
    theirs = submit(outsider, article={"title": "Secret", "body": "The minister resigned tonight.", "format": "text"})
    run(theirs)
    assert "The minister resigned tonight." in engine.texts
    document, _ = segments(outsider, theirs)
    assert {s["provenance"]["kind"] for s in document["segments"]} == {"machine"}
    assert "memory_hits" not in outsider.get(f"/v1/jobs/{theirs}").get_json()["languages"]["de"]["stats"]
    assert outsider.get(f"/v1/jobs/{theirs}/translations/de/segments/s2/suggestions").get_json()["suggestions"] == []
    assert outsider.get("/v1/memories").get_json()["items"] == []
    assert outsider.get("/v1/memories/en/de/entries").get_json()["total"] == 0
    assert "Der Minister" not in outsider.get("/v1/memories/en/de/tmx").get_data(as_text=True)
    # Nor its job's segments, nor a way to approve or edit them.
    assert_problem(outsider.get(f"/v1/jobs/{job_id}/translations/de/segments"), 404, "job-not-found")
    assert_problem(outsider.post(f"/v1/jobs/{job_id}/translations/de/approval", headers={"If-Match": '"v3"'}), 404)
    entry_id = editor.get("/v1/memories/en/de/entries?q=minister").get_json()["items"][0]["id"]
    assert_problem(outsider.delete(f"/v1/memories/en/de/entries/{entry_id}"), 404)
    assert editor.get("/v1/memories/en/de/entries?q=minister").get_json()["total"] == 1


def test_deepl_clients_read_and_delete_the_tenants_memories(app, url, reviewer, outsider, deepl_no_retries):
    import deepl

    store = tmx.tmxfile(sourcelanguage="en", targetlanguage="fr")
    for n in range(3):
        unit = store.addsourceunit(f"Sentence number {n} for the French desk.")
        unit.target = f"Phrase numéro {n} pour le desk français."
    assert reviewer.post("/v1/memories/en/fr/tmx", data=bytes(store)).status_code == 200
    client = deepl.DeepLClient(reviewer.api_key.secret, server_url=url)
    memories = {m.translation_memory_id: m for m in client.list_translation_memories()}
    info = memories["tm-en-fr"]
    assert (info.source_language, info.target_languages, info.segment_count) == ("en", ["fr"], 3)
    assert client.get_translation_memory("tm-en-fr").name == "en → fr"
    first = client.list_translation_memory_segments("tm-en-fr", page_size=2)
    assert len(first.segments) == 2 and first.next_page_cursor
    rest = client.list_translation_memory_segments("tm-en-fr", page_size=2, page_cursor=first.next_page_cursor)
    assert len(rest.segments) == 1 and rest.next_page_cursor is None
    found = client.list_translation_memory_segments("tm-en-fr", filter_text="NUMBER 1")
    assert [s.targets[0].target_text for s in found.segments] == ["Phrase numéro 1 pour le desk français."]
    # Another tenant's client does not find it, in DeepL's dialect.
    other = deepl.DeepLClient(outsider.api_key.secret, server_url=url)
    assert "tm-en-fr" not in {m.translation_memory_id for m in other.list_translation_memories()}
    with pytest.raises(deepl.DeepLException, match="not found"):
        other.get_translation_memory("tm-en-fr")
    response = outsider.get("/v3/translation_memories/tm-en-fr")
    assert response.status_code == 404 and set(response.get_json()) == {"message"}
    client.delete_translation_memory("tm-en-fr")
    assert "tm-en-fr" not in {m.translation_memory_id for m in client.list_translation_memories()}


def test_inline_ranges_of_an_edit_are_checked(app, editor, run):
    job_id = submit(editor, article={"title": "T", "body": "<p>Read <em>this</em> now.</p>", "format": "html"})
    run(job_id)
    _, etag = segments(editor, job_id)
    wrong_count = editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s2",
        json={"target": "Lies das jetzt.", "inline": []},
        headers={"If-Match": etag},
    )
    assert assert_problem(wrong_count, 422)["errors"][0]["field"] == "inline"
    outside = editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/s2",
        json={"target": "Lies das.", "inline": [[5, 40]]},
        headers={"If-Match": etag},
    )
    assert_problem(outside, 422)
    # Nothing was changed by the refused edits.
    assert segments(editor, job_id)[1] == etag


# -- the console's editor, without a browser (tests/test_editorial_console_e2e.py drives chromium) -------------


def console_client(app, key: str):
    import re

    client = app.test_client()
    form = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    assert (
        client.post("/console/sign-in", data={"csrf_token": token, "key": key, "next": "/console/"}).status_code == 302
    )
    return client


def form_values(page, name: str) -> str:
    import html
    import re

    return html.unescape(re.search(rf'name="{name}" value="([^"]+)"', page.get_data(as_text=True)).group(1))


def test_the_console_editor_saves_approves_and_shows_a_stale_page_as_412(app, editor, reviewer, run):
    job_id = submit(
        editor, article={"title": "Console", "body": "First sentence here. Second one <b>there</b>.", "format": "html"}
    )
    run(job_id)
    page_url = f"/console/jobs/{job_id}/translations/de/edit"
    writer = console_client(app, reviewer.api_key.secret)
    page = writer.get(page_url)
    assert page.status_code == 200 and 'id="seg-s2"' in page.get_data(as_text=True)
    assert "machine: upper" in page.get_data(as_text=True) and 'id="approve"' in page.get_data(as_text=True)
    token, etag = form_values(page, "csrf_token"), form_values(page, "etag")
    assert etag == '"v1"'
    # Without the CSRF token: refused before any view runs.
    assert writer.post(f"{page_url}/s2", data={"target": "X", "etag": etag}).status_code == 400
    saved = writer.post(f"{page_url}/s2", data={"csrf_token": token, "target": "Erster Satz hier.", "etag": etag})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#seg-s2")
    page = writer.get(page_url)
    assert "edited by Rae Viewer" in page.get_data(as_text=True) and form_values(page, "etag") == '"v2"'
    # The same form from the page before: the API's 412, as a page.
    stale = writer.post(f"{page_url}/s3", data={"csrf_token": token, "target": "Zweiter.", "etag": etag})
    assert stale.status_code == 412 and "changed since you read it" in stale.get_data(as_text=True)
    # An editor without the review role sees no Approve button, and cannot approve.
    reader = console_client(app, editor.api_key.secret)
    assert 'id="approve"' not in reader.get(page_url).get_data(as_text=True)
    assert (
        reader.post(
            f"/console/jobs/{job_id}/translations/de/approve",
            data={"csrf_token": form_values(reader.get(page_url), "csrf_token"), "etag": '"v2"'},
        ).status_code
        == 403
    )
    approved = writer.post(
        f"/console/jobs/{job_id}/translations/de/approve", data={"csrf_token": token, "etag": '"v2"'}
    )
    assert approved.status_code == 302
    assert 'data-state="approved"' in writer.get(page_url).get_data(as_text=True)
    memories = writer.get("/console/memories?source_lang=en&target_lang=de&q=Erster").get_data(as_text=True)
    assert "Erster Satz hier." in memories and 'id="import-tmx"' in memories
    # A like sentence later: the approved one is offered, with what differs marked.
    near = submit(editor, article={"title": "Console", "body": "First sentence over here.", "format": "text"})
    run(near)
    page = writer.get(f"/console/jobs/{near}/translations/de/edit").get_data(as_text=True)
    assert 'class="suggestion"' in page and "Erster Satz hier." in page
    assert "First sentence <ins>over</ins> here." in page


def test_the_console_memory_page_imports_tmx_and_deletes_entries(app, reviewer):
    import io

    store = tmx.tmxfile(sourcelanguage="en", targetlanguage="it")
    unit = store.addsourceunit("The bridge reopened.")
    unit.target = "Il ponte ha riaperto."
    client = console_client(app, reviewer.api_key.secret)
    token = form_values(client.get("/console/memories"), "csrf_token")
    imported = client.post(
        "/console/memories/import",
        data={
            "csrf_token": token,
            "source_lang": "en",
            "target_lang": "it",
            "file": (io.BytesIO(bytes(store)), "desk.tmx"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    page = client.get(imported.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 entries into en → it." in page and "Il ponte ha riaperto." in page
    exported = client.get("/console/memories/en/it/tmx")
    assert exported.mimetype == "application/x-tmx+xml" and b"Il ponte ha riaperto." in exported.data
    entry_id = reviewer.get("/v1/memories/en/it/entries").get_json()["items"][0]["id"]
    deleted = client.post(f"/console/memories/en/it/{entry_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert reviewer.get("/v1/memories/en/it/entries").get_json()["total"] == 0
    bad = client.post(
        "/console/memories/import",
        data={
            "csrf_token": token,
            "source_lang": "en",
            "target_lang": "it",
            "file": (io.BytesIO(b"not a tmx"), "bad.tmx"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a TMX file" in bad.get_data(as_text=True)


def test_a_correction_is_a_newer_translation_for_conditional_requests(app, editor, run):
    job_id = submit(editor, article={"title": "Cache", "body": "One sentence.", "format": "text"})
    run(job_id)
    url = f"/v1/jobs/{job_id}/translations/de"
    before = editor.get(url)
    _, etag = segments(editor, job_id)
    time.sleep(1.1)  # Last-Modified has whole seconds
    edited = editor.patch(f"{url}/segments/s2", json={"target": "Ein Satz."}, headers={"If-Match": etag})
    assert edited.get_json()["review"]["edited_at"].endswith("Z")
    after = editor.get(
        url, headers={"If-Modified-Since": before.headers["Last-Modified"], "If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.get_json()["body"] == "Ein Satz."
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]


def test_the_console_exports_and_imports_xliff(app, reviewer, run):
    import io

    job_id = submit(reviewer, article={"title": "Cat", "body": "Send it today.", "format": "text"})
    run(job_id)
    client = console_client(app, reviewer.api_key.secret)
    page = client.get(f"/console/jobs/{job_id}/translations/de/edit")
    exported = client.get(f"/console/jobs/{job_id}/translations/de/xliff?version=1.2")
    assert exported.mimetype == "application/xliff+xml"
    store = xliff.xlifffile.parsestring(exported.data)
    next(u for u in store.units if u.source == "Send it today.").target = "Schick es heute."
    imported = client.post(
        f"/console/jobs/{job_id}/translations/de/xliff",
        data={
            "csrf_token": form_values(page, "csrf_token"),
            "etag": form_values(page, "etag"),
            "file": (io.BytesIO(bytes(store)), "cat.xlf"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    assert by_source(segments(reviewer, job_id)[0], "Send")["target"] == "Schick es heute."
