"""The console in a real browser (Debian's headless chromium) against the real
stack: the API under gunicorn, Redis, a Celery worker with the identity test
model. Each main page is photographed at laptop and phone width into
var/screenshots/ and checked with axe-core (no critical violations) and for
console errors (a Content-Security-Policy violation is one)."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import redis

from access import KeyStore
from tests.browser import Browser
from tests.helpers import DATA, WEBHOOK_SECRET, make_settings, read_article, wait_until
from workers.celery_app import create_celery

pytestmark = pytest.mark.e2e

DB = 10


class Console:
    def __init__(self, stack, url: str):  # stack: from the start_stack fixture
        self.stack = stack
        self.url = url
        self.keys = KeyStore(redis.Redis.from_url(stack.settings.redis_url))
        self.api = httpx.Client(
            base_url=url, timeout=10, headers={"Authorization": f"Bearer {self.new_key('tests', ('admin',))}"}
        )

    def new_key(self, name: str, roles) -> str:
        return self.keys.create(name, roles, rate_limit="unlimited", char_quota="unlimited").secret

    def glossary(self, glossary_id: str) -> dict:
        response = self.api.get(f"/v1/glossaries/{glossary_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def create_glossary(self, name: str, entries: list[dict]) -> dict:
        response = self.api.post("/v1/glossaries", json={"name": name, "source_lang": "en", "entries": entries})
        assert response.status_code == 201, response.text
        return response.json()

    def pause_worker(self) -> None:
        """Stop taking tasks (they wait in the queue), as a busy worker would."""
        control = self.stack.celery.control
        control.cancel_consumer("translate", destination=[self.stack.workers[0].name], reply=True)

    def resume_worker(self) -> None:
        control = self.stack.celery.control
        control.add_consumer("translate", destination=[self.stack.workers[0].name], reply=True)


@pytest.fixture(scope="module")
def console(redis_server, model_dirs, start_stack):
    redis.Redis.from_url(f"{redis_server.url}/{DB}").flushdb()
    settings = make_settings(
        redis_server,
        DB,
        model_dirs["identity"],
        webhook_secret=WEBHOOK_SECRET,
        webhook_allowed_hosts=("127.0.0.1:*",),
        webhook_backoff_seconds=1,
    )
    stack = start_stack(settings, model_dirs["identity"], "console")
    stack.celery = create_celery(settings)
    running = Console(stack, stack.start_api())
    yield running
    running.api.close()
    stack.stop()


EDITOR = ("glossary:write", "translate")


def signed_in(console: Console, name: str, roles) -> Browser:
    opened = Browser(console.url)
    opened.open("/console/")
    assert "/console/sign-in" in opened.driver.current_url
    opened.fill("#key", console.new_key(name, roles))
    opened.click("#sign-in-form button[type=submit]")
    opened.wait_for("#viewer-roles")
    return opened


@pytest.fixture(scope="module")
def browser(console):
    opened = signed_in(console, "Editor A", EDITOR)
    yield opened
    opened.quit()


@pytest.fixture
def second_browser(console):
    opened = signed_in(console, "Editor B", EDITOR)
    yield opened
    opened.quit()


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}"


def entry_row(browser: Browser, term: str):
    rows = [r for r in browser.find_all("#entries tbody tr") if r.get_attribute("data-term") == term]
    assert rows, f"no row for {term!r}"
    return rows[0]


# -- glossaries -----------------------------------------------------------------------------

BAD_CSV = (
    "term,variants,keep,case_sensitive,note,de,fr\n"
    "Vilnius,,false,false,,Vilnius,Vilnius\n"
    "Kyiv,,perhaps,false,,Kyjiw,Kyiv\n"
    "Jens Stoltenberg,,true,false,a name,,\n"
)


def test_an_editor_builds_a_glossary(console, browser):
    name = unique("nato-desk")
    browser.open("/console/")
    browser.check_page("home")
    browser.open("/console/glossaries")
    browser.check_page("glossaries")

    # Create it.
    browser.fill("#new-name", name)
    browser.fill("#new-source", "en")
    browser.fill("#new-description", "Terms of the NATO desk")
    browser.click("#create-glossary button[type=submit]")
    browser.wait_for_text("h1", name)
    glossary_path = "/console" + browser.driver.current_url.split("/console", 1)[1]
    glossary_id = glossary_path.rsplit("/", 1)[1]

    # Add "155-millimeter" with renderings, side by side per language.
    browser.fill("#add-term", "155-millimeter")
    browser.fill("#add-variants", "155 millimeter | 155mm")
    browser.fill("#add-tr-de", "155-Millimeter")
    browser.fill("#add-tr-fr", "155 millimètres")
    browser.submit("#add-entry-form button[type=submit]")
    browser.wait_for(".flash-success")
    row = entry_row(browser, "155-millimeter")
    assert "155-Millimeter" in row.text and "155 millimètres" in row.text and "155mm" in row.text
    header = [th.text.split("\n")[0] for th in browser.find_all("#entries thead th")]
    assert header.index("de") < header.index("fr")  # one column per language

    # Import a CSV with one bad line: the error is shown on that line, nothing is applied.
    csv_file = DATA.parent.parent / "var" / "console-import.csv"
    csv_file.parent.mkdir(exist_ok=True)
    csv_file.write_text(BAD_CSV, encoding="utf-8")
    browser.find("#import-file").send_keys(str(csv_file))
    browser.find("#import-format option[value=csv]").click()
    browser.click("#import-form button[type=submit]")
    browser.wait_for("#import-lines")
    bad = browser.find_all("#import-lines tr.bad-line")
    assert [r.get_attribute("id") for r in bad] == ["line-3"]
    assert "perhaps" in bad[0].text and "not true or false" in bad[0].text
    assert "keep" in bad[0].find_element("css selector", ".line-error").text
    assert len(console.glossary(glossary_id)["entries"]) == 1
    browser.check_page("glossary-import-errors")

    # Fix the line in the page and import again.
    browser.fill("#import-content", BAD_CSV.replace("perhaps", "false"))
    browser.submit("#fix-import-form button[type=submit]")
    browser.wait_for(".flash-success")
    terms = [r.get_attribute("data-term") for r in browser.find_all("#entries tbody tr")]
    assert terms == ["155-millimeter", "Vilnius", "Kyiv", "Jens Stoltenberg"]

    # Keep and case-sensitivity toggles.
    toggle = entry_row(browser, "Kyiv").find_element("css selector", "button[data-flag=case_sensitive]")
    assert toggle.get_attribute("aria-pressed") == "false"
    browser.submit(toggle)
    browser.wait_for(".flash-success")
    toggle = entry_row(browser, "Kyiv").find_element("css selector", "button[data-flag=case_sensitive]")
    assert toggle.get_attribute("aria-pressed") == "true"

    # Filter and sort.
    browser.fill("#entry-filter", "kyj")
    browser.find("#entry-filter").submit()
    browser.wait_for_text("#entries-caption", "1 of 4")
    browser.open(glossary_path + "?sort=-term")
    terms = [r.get_attribute("data-term") for r in browser.find_all("#entries tbody tr")]
    assert terms == sorted(terms, key=str.casefold, reverse=True)
    browser.open(glossary_path)
    browser.check_page("glossary")

    # Export TBX, through the page's own session.
    tbx = browser.fetch(browser.find("#export-tbx").get_attribute("href"))
    assert tbx["status"] == 200 and "<martif" in tbx["body"]
    assert "155-millimeter" in tbx["body"] and "155-Millimeter" in tbx["body"] and "Jens Stoltenberg" in tbx["body"]

    # History: every version, a diff between two of them, restore of an old one as a new version.
    browser.click("a[href$='/history']")
    browser.wait_for("#versions")
    versions = browser.find_all("#versions tbody tr")
    assert len(versions) == 4  # created, entry added, import, toggle
    assert all("Editor A (nt_live_" in row.text for row in versions)  # every version names its author
    browser.fill("#from-version", "2")
    browser.fill("#to-version", "3")
    browser.submit("form.inline-form button[type=submit]")
    browser.wait_for_text("#diff-summary", "3 added, 0 changed, 0 removed")
    browser.check_page("glossary-history")
    browser.submit("#version-2 button[type=submit]")
    browser.wait_for_text(".flash-success", "Version 2 restored as version 5")
    restored = console.glossary(glossary_id)
    assert restored["version"] == 5 and [e["term"] for e in restored["entries"]] == ["155-millimeter"]


def test_two_editors_edit_the_same_entry(console, browser, second_browser):
    created = console.create_glossary(
        unique("desk"),
        [
            {"term": "Kyiv", "translations": {"de": "Kiew", "fr": "Kiev"}},
            {"term": "Vilnius", "translations": {"de": "Vilnius"}},
        ],
    )
    kyiv = created["entries"][0]["id"]
    page = f"/console/glossaries/{created['id']}?edit={kyiv}"
    browser.open(page)
    second_browser.open(page)

    # The first editor fixes the German rendering and saves.
    browser.fill("#entry-" + kyiv + " input[name='tr.de']", "Kyjiw")
    browser.submit("#entry-" + kyiv + " button[type=submit]")
    browser.wait_for(".flash-success")

    # The second, still looking at version 1, fixes the French one.
    second_browser.fill("#entry-" + kyiv + " input[name='tr.fr']", "Kyiv")
    second_browser.click("#entry-" + kyiv + " button[type=submit]")
    second_browser.wait_for("#conflict")
    assert "Someone else saved first" in second_browser.text("#conflict")
    assert "saved by Editor A (nt_live_" in second_browser.text("#conflict")
    theirs = second_browser.text("table.diff")
    assert "Kiew" in theirs and "Kyjiw" in theirs  # their change, shown
    assert console.glossary(created["id"])["entries"][0]["translations"] == {"de": "Kyjiw", "fr": "Kiev"}
    assert second_browser.exists("#merge-clean")
    assert second_browser.find("#c-tr-de").get_attribute("value") == "Kyjiw"  # theirs, kept
    assert second_browser.find("#c-tr-fr").get_attribute("value") == "Kyiv"  # mine, re-applied
    second_browser.check_page("glossary-conflict")
    second_browser.submit("#merged-form button[type=submit]")
    second_browser.wait_for(".flash-success")

    final = console.glossary(created["id"])
    assert final["version"] == 3 and final["author"]["name"] == "Editor B"
    assert final["entries"][0]["translations"] == {"de": "Kyjiw", "fr": "Kyiv"}


# -- keys and roles -------------------------------------------------------------------------


def test_sign_in_and_a_read_only_key(console):
    created = console.create_glossary(unique("policy"), [{"term": "Kyiv", "translations": {"de": "Kyjiw"}}])
    entry = created["entries"][0]["id"]
    reader = Browser(console.url)
    try:
        reader.open("/console/glossaries")
        reader.wait_for("#sign-in-form")
        reader.fill("#key", "nt_live_abcdefgh_" + "x" * 40)
        reader.click("#sign-in-form button[type=submit]")
        reader.wait_for("#sign-in-error")
        assert "Invalid API key" in reader.text("#sign-in-error")
        assert reader.find("#key").get_attribute("value") == ""
        reader.check_page("sign-in")

        key = console.new_key("Reader", ("glossary:read",))
        reader.fill("#key", key)
        reader.click("#sign-in-form button[type=submit]")
        reader.wait_for("#glossary-list")  # back where it was going
        assert reader.text("#viewer-roles") == "glossary:read"
        reader.open(f"/console/glossaries/{created['id']}?edit={entry}")
        assert "Kyjiw" in reader.text(f"#entry-{entry}")
        # No edit controls at all: no add form, no edit link, no toggles, no import, no delete.
        for control in (
            "#add-entry",
            ".edit-link",
            "button[aria-pressed]",
            "#import-form",
            "input[name=term]",
            "button.danger",
        ):
            assert not reader.exists(control), control
        assert not reader.exists("#create-glossary")
        assert key not in reader.driver.page_source
        reader.check_page("glossary-read-only")

        # A forged edit, sent from the page with its own valid CSRF token: the API refuses it.
        token = reader.find("meta[name=csrf-token]").get_attribute("content")
        forged = reader.fetch(
            f"/console/glossaries/{created['id']}/entries/{entry}",
            "POST",
            {"csrf_token": token, "etag": f'"{created["id"]}-v1"', "term": "Kyiv", "tr.de": "Kiew"},
        )
        assert forged["status"] == 403 and "glossary:write" in forged["body"]
        # Without the token it never reaches the API; and the console's cookie opens nothing at the API.
        assert (
            reader.fetch(
                f"/console/glossaries/{created['id']}/entries/{entry}",
                "POST",
                {"etag": f'"{created["id"]}-v1"', "term": "x"},
            )["status"]
            == 400
        )
        assert reader.fetch("/v1/glossaries")["status"] == 401
        assert console.glossary(created["id"])["version"] == 1
        assert reader.console_errors()  # the refused requests were logged by the browser; drain them
    finally:
        reader.quit()


# -- jobs and try it ------------------------------------------------------------------------


class Hooks(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hooks.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_a_job_from_the_page(console, browser, webhook_receiver):
    seed = json.loads((DATA / "glossary.json").read_text())
    glossary = console.create_glossary(unique("seed"), seed["entries"])
    article = read_article()

    browser.open("/console/jobs")
    browser.check_page("jobs")
    browser.fill("#job-title", article["title"])
    browser.fill("#job-body", article["body"])
    for lang in ("de", "fr"):
        browser.click(f"#submit-job input[name=target_langs][value={lang}]")
    browser.click(f"#submit-job input[name=glossary_ids][value='{glossary['id']}']")
    browser.click("#submit-job details summary")
    browser.fill("#job-callback", webhook_receiver)

    console.pause_worker()
    try:
        browser.click("#submit-job button[type=submit]")
        browser.wait_for("#languages")
        # Queued: the page shows each language waiting, and keeps polling.
        assert browser.text("#lang-de .state") == "queued" and browser.exists("#lang-de progress")
        assert browser.find("#progress").get_attribute("data-poll")
        browser.check_page("job-progress")
    finally:
        console.resume_worker()
    # The page updates itself, then reloads with the results.
    browser.wait_for("#lang-de .review-link", timeout=120)
    browser.wait_for("#lang-fr .review-link", timeout=120)
    assert browser.text("#job-state") == "succeeded"
    wait_until(lambda: len(Hooks.received) >= 3, 30, what="webhook deliveries")
    browser.driver.refresh()
    deliveries = browser.text("#deliveries")
    assert deliveries.count("delivered") >= 3 and "job.finished" in deliveries
    browser.check_page("job")

    browser.click("#lang-de .review-link")
    browser.wait_for("#side-by-side")
    rows = browser.find_all("#side-by-side tbody tr")
    assert len(rows) > 5
    assert rows[0].find_element("css selector", "td.source").text == article["title"]
    marked_source = [m.text for m in browser.find_all("#side-by-side td.source mark.term")]
    marked_target = [m.text for m in browser.find_all("#side-by-side td.target mark.term")]
    assert "NATO" in marked_source and "155-millimeter" in marked_source and "Kyiv" in marked_source
    assert "155-Millimeter" in marked_target and "Kyjiw" in marked_target
    report = browser.text("#term-report")
    assert "155-millimeter" in report and "replace" in report
    browser.check_page("review")

    rendered_url = browser.find("#rendered-html").get_attribute("href")
    rendered = browser.fetch(rendered_url)
    assert rendered["status"] == 200 and "155-Millimeter" in rendered["body"] and "<h1>" in rendered["body"]
    browser.open(rendered_url.split(console.url, 1)[1])
    assert "Kyjiw" in browser.text()


def test_try_it(console, browser):
    seed = json.loads((DATA / "glossary.json").read_text())
    glossary = console.create_glossary(unique("try"), seed["entries"])
    browser.open("/console/try")
    browser.fill("#try-text", "NATO ordered 155-millimeter shells for Kyiv.")
    for lang in ("de", "uk"):
        browser.click(f"#try-form input[name=target_langs][value={lang}]")
    browser.click(f"#try-form input[name=glossary_ids][value='{glossary['id']}']")
    browser.click("#try-form button[type=submit]")
    browser.wait_for("#result-de", timeout=120)
    de = browser.text("#result-de .translation")
    assert "155-Millimeter" in de and "Kyjiw" in de
    marks = [m.text for m in browser.find_all("#result-de .translation mark.term")]
    assert marks == ["NATO", "155-Millimeter", "Kyjiw"]
    # The identity test model writes the kept "NATO" itself; its words for the others are replaced.
    methods = [m.text for m in browser.find_all("#result-de .translation .method")]
    assert methods == ["(model)", "(replace)", "(replace)"], methods
    assert "Київ" in browser.text("#result-uk .translation")
    browser.check_page("try")
