"""The console without a browser: its pure parts (diffs, merges, highlighting,
import lines) and its pages through Flask's test client on a real Redis
(no workers): CSRF, the Content-Security-Policy, escaping, conflicts, API
errors shown as pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from glossary.diff import ADDED, CHANGED, REMOVED, diff_glossaries, merge_entry
from glossary.entries import Entry, Glossary
from service.console.glossaries import entry_from_form, import_lines
from service.console.review import Span, aligned_units, find_renderings, highlight, review_rows
from tests.helpers import keyed_client

DB = 11


# -- pure parts -------------------------------------------------------------------------------


def glossary(version: int, entries: list[Entry], name: str = "desk") -> Glossary:
    return Glossary("g1", name, "en", "", entries, version)


def test_diff_lists_added_changed_and_removed_entries():
    kyiv = Entry("Kyiv", translations={"de": "Kiew"}, id="e1")
    nato = Entry("NATO", translations={"fr": "OTAN"}, case_sensitive=True, id="e2")
    old = glossary(1, [kyiv, nato])
    new = glossary(
        2,
        [Entry("Kyiv", translations={"de": "Kyjiw", "fr": "Kyiv"}, id="e1"), Entry("Vilnius", keep=True, id="e3")],
        name="desk 2",
    )
    diff = diff_glossaries(old, new)
    assert [(c.kind, c.term) for c in diff.entries] == [(CHANGED, "Kyiv"), (ADDED, "Vilnius"), (REMOVED, "NATO")]
    assert [(f.field, f.before, f.after) for f in diff.entries[0].fields] == [
        ("translations.de", "Kiew", "Kyjiw"),
        ("translations.fr", None, "Kyiv"),
    ]
    # An added entry lists what it has, not its empty fields.
    assert [(f.field, f.after) for f in diff.entries[1].fields] == [("term", "Vilnius"), ("keep", True)]
    assert [(p.field, p.before, p.after) for p in diff.properties] == [("name", "desk", "desk 2")]
    assert diff.counts() == {ADDED: 1, CHANGED: 1, REMOVED: 1}


def test_diff_after_a_replacing_import_matches_entries_by_term():
    old = glossary(1, [Entry("Kyiv", translations={"de": "Kiew"}, id="old1")])
    new = glossary(2, [Entry("kyiv", translations={"de": "Kiew"}, id="new1")])
    diff = diff_glossaries(old, new)
    assert [(c.kind, [f.field for f in c.fields]) for c in diff.entries] == [(CHANGED, ["term"])]


def test_merge_keeps_both_editors_changes_to_different_fields():
    base = Entry("Kyiv", translations={"de": "Kiew", "fr": "Kiev"}, id="e1")
    theirs = Entry("Kyiv", translations={"de": "Kyjiw", "fr": "Kiev"}, note="their note", id="e1")
    mine = Entry("Kyiv", translations={"de": "Kiew", "fr": "Kyiv"}, case_sensitive=True, id="e1")
    merged = merge_entry(base, theirs, mine)
    assert merged.conflicts == []
    assert merged.entry.translations == {"de": "Kyjiw", "fr": "Kyiv"}
    assert merged.entry.note == "their note" and merged.entry.case_sensitive is True
    assert [c.field for c in merged.theirs_changed] == ["note", "translations.de"]


def test_merge_reports_a_field_both_changed_and_keeps_mine():
    base = Entry("Kyiv", translations={"de": "Kiew"}, id="e1")
    merged = merge_entry(
        base, Entry("Kyiv", translations={"de": "Kyjiw"}, id="e1"), Entry("Kyiv", translations={"de": "Kyiw"}, id="e1")
    )
    assert [(c.field, c.theirs, c.mine) for c in merged.conflicts] == [("translations.de", "Kyjiw", "Kyiw")]
    assert merged.entry.translations == {"de": "Kyiw"}
    # A rendering removed on one side and untouched on the other stays removed.
    removed = merge_entry(
        Entry("A", translations={"de": "x", "fr": "y"}, id="e"),
        Entry("A", translations={"de": "x"}, id="e"),
        Entry("A", translations={"de": "z", "fr": "y"}, id="e"),
    )
    assert removed.entry.translations == {"de": "z"} and removed.conflicts == []
    gone = merge_entry(base, None, Entry("Kyiv", translations={"de": "Kyjiw"}, id="e1"))
    assert gone.deleted_by_them and gone.entry.translations == {"de": "Kyjiw"}


def test_entry_form_fields_become_an_api_entry():
    form = {
        "term": " 155-millimeter ",
        "variants": "155mm | 155 millimeter|",
        "tr.de": "155-Millimeter",
        "tr.fr": "  ",
        "new_lang": "lt",
        "new_rendering": "155 milimetrų",
        "case_sensitive": "on",
        "note": "",
    }
    assert entry_from_form(form) == {
        "term": "155-millimeter",
        "variants": ["155mm", "155 millimeter"],
        "translations": {"de": "155-Millimeter", "lt": "155 milimetrų"},
        "keep": False,
        "case_sensitive": True,
        "match_inside_names": False,
        "note": None,
        "grammar": {},
    }


def test_grammar_selects_become_the_entry_s_grammar():
    form = {
        "term": "EU",
        "tr.pt": "UE",
        "gr.pt.gender": "f",
        "gr.pt.number": "sg",
        "gr.pt.article": "yes",
        "gr.fr.gender": "",
        "gr.fr.article": "no",
        "match_inside_names": "on",
    }
    entry = entry_from_form(form)
    assert entry["grammar"] == {"pt": {"gender": "f", "number": "sg", "article": True}, "fr": {"article": False}}
    assert entry["match_inside_names"] is True


def test_import_errors_attach_to_their_lines():
    content = "term,de\nKyiv,Kyjiw\n,Leer\nNATO,NATO\n"
    lines, general = import_lines(
        content,
        [
            {"line": 3, "field": "term", "reason": "empty term"},
            {"field": "file", "reason": "too big"},
            {"line": 9, "field": "row", "reason": "past the end"},
        ],
    )
    assert [(line.number, line.text, [e["reason"] for e in line.errors]) for line in lines] == [
        (1, "term,de", []),
        (2, "Kyiv,Kyjiw", []),
        (3, ",Leer", ["empty term"]),
        (4, "NATO,NATO", []),
    ]
    assert [e["reason"] for e in general] == ["too big", "past the end"]


def test_highlight_escapes_everything_but_its_own_marks():
    text = "<b>NATO</b> & Kyiv"
    out = str(highlight(text, [Span(3, 7, "e1", "NATO"), Span(14, 18, "e2", "Kyiv")], {"e1": "mask"}))
    assert out == (
        '&lt;b&gt;<mark class="term" data-entry="e1">NATO</mark> <span class="method">(mask)</span>'
        '&lt;/b&gt; &amp; <mark class="term" data-entry="e2">Kyiv</mark>'
    )
    assert "<script>" not in str(highlight("<script>x</script>", []))


def test_renderings_are_found_longest_first_without_overlap():
    spans = find_renderings("Jens Stoltenberg und Stoltenberg", {("e1", "Jens Stoltenberg"), ("e2", "Stoltenberg")})
    assert [(s.start, s.end, s.entry_id) for s in spans] == [(0, 16, "e1"), (21, 32, "e2")]


def test_review_pairs_units_of_html_and_highlights_both_sides():
    source = "<h2>NATO meets</h2><p>In <a href='/x'>Kyiv</a>.</p>"
    target = "<h2>NATO trifft sich</h2><p>In <a href='/x'>Kyjiw</a>.</p>"
    pairs = aligned_units(source, target, "html")
    assert pairs == [("NATO meets", "NATO trifft sich"), ("In Kyiv.", "In Kyjiw.")]
    entries = [Entry("Kyiv", translations={"de": "Kyjiw"}, id="k"), Entry("NATO", keep=True, id="n")]
    rows = review_rows(pairs, entries, "de")
    assert [(r.terms, r.placed) for r in rows] == [(1, 1), (1, 1)]
    assert '<mark class="term" data-entry="k">Kyjiw</mark>' in rows[1].target
    assert aligned_units("a\nb", "a", "text") == [("a\nb", "a")]  # not aligned: shown whole


# -- pages --------------------------------------------------------------------------------------

EDITOR = ("glossary:write", "translate")


@pytest.fixture
def app(make_app):
    return make_app(DB)


def new_key(app, roles, name="editor") -> str:
    from access import KeyStore

    return (
        KeyStore(app.extensions["newsroom"].redis)
        .create(name, roles, rate_limit="unlimited", char_quota="unlimited")
        .secret
    )


@pytest.fixture
def api(app):
    """The API as a curl user with an admin key would call it."""
    return keyed_client(app)


def sign_in(client, key: str, next_page: str = "/console/"):
    form = client.get("/console/sign-in")
    return client.post("/console/sign-in", data={"csrf_token": token(form), "key": key, "next": next_page})


@pytest.fixture
def browser(app):
    """A browser signed in to the console with an editor's key (no Authorization header of its own)."""
    client = app.test_client()
    client.key = new_key(app, EDITOR)
    assert sign_in(client, client.key).status_code == 302
    return client


def token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def etag_of(page) -> str:
    return re.search(r'name="etag" value="([^"]+)"', page.get_data(as_text=True)).group(1).replace("&#34;", '"')


def create_glossary(api, name="desk", entries=None) -> tuple[str, str]:
    response = api.post("/v1/glossaries", json={"name": name, "source_lang": "en", "entries": entries or []})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], response.headers["ETag"]


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline.append("<script> without src")
        if tag == "style" or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append(f"<{tag} {attrs}>")


@pytest.mark.parametrize("path", ["/console/", "/console/glossaries", "/console/jobs", "/console/try"])
def test_pages_satisfy_a_strict_content_security_policy(browser, path):
    page = browser.get(path)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Cache-Control"] == "no-store"
    parser = _Scripts()
    parser.feed(page.get_data(as_text=True))
    assert parser.inline == []
    # Every asset is local.
    assert not re.search(r'(src|href)="(https?:)?//', page.get_data(as_text=True))


def test_forms_need_their_csrf_token(browser, api):
    glossary_id, etag = create_glossary(api)
    page = browser.get(f"/console/glossaries/{glossary_id}")
    form = {"etag": etag, "term": "Kyiv", "tr.de": "Kyjiw"}
    refused = browser.post(f"/console/glossaries/{glossary_id}/entries", data=form)
    assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)
    forged = browser.post(f"/console/glossaries/{glossary_id}/entries", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert api.get(f"/v1/glossaries/{glossary_id}").get_json()["version"] == 1
    saved = browser.post(f"/console/glossaries/{glossary_id}/entries", data={**form, "csrf_token": token(page)})
    assert saved.status_code == 302
    assert api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][0]["translations"] == {"de": "Kyjiw"}


def test_the_session_cookie_is_for_the_console_only(app):
    client = app.test_client()
    key = new_key(app, EDITOR)
    signed_in = sign_in(client, key)
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert key not in cookie
    # The cookie is worth nothing at the API: it takes keys, not cookies.
    client.set_cookie("console_session", cookie.split(";")[0].split("=", 1)[1], path="/v1")
    refused = client.get("/v1/glossaries")
    assert refused.status_code == 401 and "Set-Cookie" not in refused.headers


def test_user_text_is_escaped(browser, api):
    evil = '<script>alert("x")</script>'
    glossary_id, _ = create_glossary(
        api, evil, [{"term": "<img src=x onerror=alert(1)>", "keep": True, "note": "</td><script>"}]
    )
    for path in (
        "/console/glossaries",
        f"/console/glossaries/{glossary_id}",
        f"/console/glossaries/{glossary_id}/history",
    ):
        html = browser.get(path).get_data(as_text=True)
        assert evil not in html and "<img src=x" not in html and "</td><script>" not in html
        assert "&lt;script&gt;" in html


def test_both_editors_changed_the_same_rendering(browser, api):
    glossary_id, etag = create_glossary(api, entries=[{"term": "Kyiv", "translations": {"de": "Kiew"}}])
    entry_id = api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][0]["id"]
    page = browser.get(f"/console/glossaries/{glossary_id}?edit={entry_id}")
    first = api.put(
        f"/v1/glossaries/{glossary_id}/entries/{entry_id}",
        headers={"If-Match": etag},
        json={"term": "Kyiv", "translations": {"de": "Kyjiw"}},
    )
    assert first.status_code == 200
    conflict = browser.post(
        f"/console/glossaries/{glossary_id}/entries/{entry_id}",
        data={"csrf_token": token(page), "etag": etag_of(page), "term": "Kyiv", "tr.de": "Kyiw"},
    )
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "Someone else saved first" in html
    assert 'id="merge-conflicts"' in html and "theirs Kyjiw, yours Kyiw" in html
    assert "saved by <strong>tests (nt_live_" in html  # who saved first
    assert api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][0]["translations"] == {"de": "Kyjiw"}
    # Re-applying with the current version's ETag saves it.
    again = browser.post(
        f"/console/glossaries/{glossary_id}/entries/{entry_id}",
        data={"csrf_token": token(conflict), "etag": etag_of(conflict), "term": "Kyiv", "tr.de": "Kyiw"},
    )
    assert again.status_code == 302
    assert api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][0]["translations"] == {"de": "Kyiw"}


def test_api_errors_become_pages_that_say_what_is_wrong(browser, api):
    glossary_id, _ = create_glossary(api)
    page = browser.get(f"/console/glossaries/{glossary_id}")
    both = browser.post(
        f"/console/glossaries/{glossary_id}/entries",
        data={"csrf_token": token(page), "etag": etag_of(page), "term": "Kyiv", "tr.de": "Kyjiw", "keep": "on"},
    )
    assert both.status_code == 422
    assert "an entry is either keep or has translations, not both" in both.get_data(as_text=True)
    missing = browser.get("/console/glossaries/nosuchglossary")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "There is no glossary" in missing.get_data(as_text=True)
    unknown = browser.get("/console/no/such/page")
    assert unknown.status_code == 404 and unknown.mimetype == "text/html"


def test_a_job_the_api_refuses_is_shown_with_its_reason(browser):
    page = browser.get("/console/jobs")
    refused = browser.post(
        "/console/jobs",
        data={
            "csrf_token": token(page),
            "title": "t",
            "body": "Text.",
            "format": "text",
            "source_lang": "en",
            "target_langs": ["xx"],
        },
    )
    assert refused.status_code == 422
    assert "No installed model translates en into xx" in refused.get_data(as_text=True)
    bad_html = browser.post(
        "/console/jobs",
        data={
            "csrf_token": token(page),
            "title": "t",
            "body": "",
            "format": "text",
            "source_lang": "en",
            "target_langs": [],
        },
    )
    assert bad_html.status_code == 422 and "field-error" in bad_html.get_data(as_text=True)


def test_a_job_over_the_quota_is_refused_on_the_form_with_the_article_kept_and_nothing_charged(app):
    from access import KeyStore

    client = app.test_client()
    key = (
        KeyStore(app.extensions["newsroom"].redis)
        .create("editor", EDITOR, rate_limit="unlimited", char_quota="20/day")
        .secret
    )
    assert sign_in(client, key).status_code == 302
    page = client.get("/console/jobs")
    refused = client.post(
        "/console/jobs",
        data={
            "csrf_token": token(page),
            "title": "Quota",
            "body": "x" * 30,
            "format": "text",
            "source_lang": "en",
            "target_langs": ["de"],
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "needs 35 characters" in text  # title and body
    assert "x" * 30 in text  # the article is still in the form
    usage = app.test_client().get("/v1/usage", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert usage["characters"]["remaining"] == 20


def test_restore_makes_a_new_version_with_the_same_entry_ids(browser, api):
    glossary_id, etag = create_glossary(api, entries=[{"term": "Kyiv", "translations": {"de": "Kiew"}}])
    v1 = api.get(f"/v1/glossaries/{glossary_id}").get_json()
    entry_id = v1["entries"][0]["id"]
    api.put(
        f"/v1/glossaries/{glossary_id}/entries/{entry_id}",
        headers={"If-Match": etag},
        json={"term": "Kyiv", "translations": {"de": "Kyjiw"}},
    )
    history = browser.get(f"/console/glossaries/{glossary_id}/history")
    assert "Kiew" in history.get_data(as_text=True) and "Kyjiw" in history.get_data(as_text=True)
    assert history.get_data(as_text=True).count('<td class="author">tests (nt_live_') == 2
    restored = browser.post(
        f"/console/glossaries/{glossary_id}/restore",
        data={"csrf_token": token(history), "etag": etag_of(history), "version": "1"},
    )
    assert restored.status_code == 302
    now = api.get(f"/v1/glossaries/{glossary_id}").get_json()
    assert now["version"] == 3 and now["entries"] == v1["entries"]
    assert now["author"]["name"] == "editor"  # the console's key signed the restore
    assert api.get(f"/v1/glossaries/{glossary_id}/versions/2").get_json()["entries"][0]["translations"] == {
        "de": "Kyjiw"
    }


def test_an_uploaded_article_takes_its_format_from_the_file_name(browser, api):
    import io

    page = browser.get("/console/jobs")
    markdown = "# NATO summit\n\nAllies meet in **Vilnius**.\n"
    submitted = browser.post(
        "/console/jobs",
        content_type="multipart/form-data",
        data={
            "csrf_token": token(page),
            "title": "Summit",
            "format": "auto",
            "body": "",
            "source_lang": "en",
            "target_langs": ["de"],
            "file": (io.BytesIO(markdown.encode()), "summit.md"),
        },
    )
    assert submitted.status_code == 302
    job_id = submitted.headers["Location"].rsplit("/", 1)[1]
    source = api.get(f"/v1/jobs/{job_id}/source").get_json()
    assert source == {"job_id": job_id, "lang": "en", "title": "Summit", "body": markdown, "format": "markdown"}
    listed = browser.get("/console/jobs").get_data(as_text=True)
    assert job_id in listed  # the desk's recent jobs


# -- signing in, roles ---------------------------------------------------------------------------


def test_signing_in_and_out(app):
    client = app.test_client()
    assert client.get("/console/glossaries").headers["Location"] == "/console/sign-in?next=/console/glossaries"
    unknown = sign_in(client, "nt_live_abcdefgh_" + "x" * 40)
    assert unknown.status_code == 401 and "Invalid API key" in unknown.get_data(as_text=True)
    assert "x" * 40 not in unknown.get_data(as_text=True)  # what was typed is not sent back
    key = new_key(app, ("glossary:read",), name="night desk")
    signed_in = sign_in(client, key, "/console/glossaries")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/console/glossaries"
    page = client.get("/console/glossaries").get_data(as_text=True)
    assert "night desk" in page and key.split("_")[2][:8] in page and key not in page
    out = client.post("/console/sign-out", data={"csrf_token": token(client.get("/console/"))})
    assert out.headers["Location"] == "/console/sign-in"
    assert client.get("/console/glossaries").status_code == 302
    # A page posted to after signing out is refused, not redirected into.
    assert client.post("/console/jobs", data={"title": "x"}).status_code in (400, 401)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/v1/keys", "/console\\\\evil"])
def test_sign_in_goes_back_to_console_pages_only(app, target):
    client = app.test_client()
    response = sign_in(client, new_key(app, EDITOR), target)
    assert response.headers["Location"] == "/console/"


def test_a_revoked_key_ends_the_session(app, api):
    client = app.test_client()
    key = new_key(app, EDITOR, name="soon revoked")
    sign_in(client, key)
    assert client.get("/console/glossaries").status_code == 200
    key_id = key.split("_")[2]
    assert api.delete(f"/v1/keys/{key_id}").status_code == 200
    refused = client.get("/console/glossaries")
    assert refused.status_code == 401 and "revoked" in refused.get_data(as_text=True)
    assert client.get("/console/glossaries").headers["Location"].startswith("/console/sign-in")


def test_a_read_only_key_sees_no_edit_controls_and_cannot_forge_one(app, api):
    glossary_id, etag = create_glossary(api, entries=[{"term": "Kyiv", "translations": {"de": "Kyjiw"}}])
    entry_id = api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][0]["id"]
    reader = app.test_client()
    sign_in(reader, new_key(app, ("glossary:read",), name="reader"))
    for path in (
        f"/console/glossaries/{glossary_id}",
        f"/console/glossaries/{glossary_id}?edit={entry_id}",
        f"/console/glossaries/{glossary_id}/history",
        "/console/glossaries",
    ):
        page = reader.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        posts = re.findall(r'<form method="post" action="([^"]+)"', html)
        assert posts == ["/console/sign-out"], (path, posts)  # no form but signing out
        assert 'class="edit-link"' not in html and 'name="term"' not in html and "aria-pressed" not in html
    # The same request an editor's page would send, with a valid CSRF token: the API says no.
    page = reader.get(f"/console/glossaries/{glossary_id}")
    forged = reader.post(
        f"/console/glossaries/{glossary_id}/entries/{entry_id}",
        data={"csrf_token": token(page), "etag": etag, "term": "Kyiv", "tr.de": "Kiew"},
    )
    assert forged.status_code == 403 and "glossary:write" in forged.get_data(as_text=True)
    assert api.get(f"/v1/glossaries/{glossary_id}").get_json()["version"] == 1
    # And a key without translate sees no job pages.
    assert "Jobs</a>" not in page.get_data(as_text=True)
    assert reader.get("/console/jobs").status_code == 403


def test_with_auth_disabled_the_console_needs_no_sign_in(make_app):
    client = make_app(DB, auth_disabled=True).test_client()
    page = client.get("/console/glossaries")
    assert page.status_code == 200 and "New glossary" in page.get_data(as_text=True)


def test_a_missing_browser_fails_the_browser_tests(monkeypatch):
    from tests import browser

    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception, match="/nonexistent/chromium"):
        browser.Browser("http://127.0.0.1:9")


def test_the_editor_sets_and_shows_a_rendering_s_grammar(browser, api):
    glossary_id, etag = create_glossary(api)
    page = browser.get(f"/console/glossaries/{glossary_id}")
    form = {
        "etag": etag,
        "term": "EU",
        "tr.pt": "UE",
        "gr.pt.gender": "f",
        "gr.pt.number": "sg",
        "gr.pt.article": "yes",
        "match_inside_names": "on",
        "csrf_token": token(page),
    }
    assert browser.post(f"/console/glossaries/{glossary_id}/entries", data=form).status_code == 302
    entry = api.get(f"/v1/glossaries/{glossary_id}").get_json()["entries"][-1]
    assert entry["grammar"] == {"pt": {"gender": "f", "number": "sg", "article": True}}
    assert entry["match_inside_names"] is True
    shown = browser.get(f"/console/glossaries/{glossary_id}").get_data(as_text=True)
    assert "fem. sg., with article" in shown
    editing = browser.get(f"/console/glossaries/{glossary_id}?edit={entry['id']}").get_data(as_text=True)
    assert '<option value="f" selected>feminine</option>' in editing
    assert '<option value="yes" selected>with article</option>' in editing
