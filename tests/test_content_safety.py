"""Content served from our origin is never run as script: the HTML view of a
result forbids scripts (CSP, sandbox), nothing is sniffed, downloads are
attachments, and a glossary rendering enters Markdown as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from jobs.store import JobStore
from tests.helpers import keyed_client
from translation.documents import markdown_literal

SCRIPTED = '<p>Hello</p><script>alert(document.cookie)</script><img src="x" onerror="alert(1)">'


@pytest.fixture(scope="module")
def api(make_app):
    app = make_app(14)
    api = keyed_client(app)
    return api, Published(JobStore(app.extensions["newsroom"].redis), api.api_key.key.tenant)


class Published:
    def __init__(self, store: JobStore, tenant: str):
        self.store, self.tenant = store, tenant


def published(where: Published, body: str, fmt: str, external_id: str, title: str = "Title") -> str:
    """A finished translation published for the client's tenant, written the way a worker writes it."""
    store = where.store
    job_id = store.create(
        {
            "source_lang": "en",
            "target_langs": ["de"],
            "external_id": external_id,
            "article": {"title": title, "body": body, "format": fmt},
            "revision": 1,
            "owner": {"key": "k", "prefix": "nt_k", "tenant": where.tenant},
        }
    )
    claim = store.leases.claim(job_id, "de")
    assert claim.claimed
    assert store.leases.succeed(
        job_id, "de", claim.holder, {"title": title, "body": body, "format": fmt, "model": []}, None, {}
    )
    assert store.articles.publish(external_id, "de", 1, job_id, where.tenant)
    return job_id


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def test_html_view_of_a_scripted_body_forbids_scripts(api):
    client, store = api
    job_id = published(store, SCRIPTED, "html", "cms-scripted")
    for url in (f"/v1/jobs/{job_id}/translations/de", "/v1/articles/cms-scripted/de"):
        page = client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.mimetype == "text/html"
        # The body is served as submitted (the CMS gets its own HTML back) ...
        assert "<script>alert(document.cookie)</script>" in page.get_data(as_text=True)
        # ... under a policy that lets no script run and isolates the page.
        directives = csp_directives(page)
        assert directives["default-src"] == ["'none'"]
        assert "script-src" not in directives and "script-src-attr" not in directives
        assert directives["sandbox"] == []  # no allow-scripts, no allow-same-origin
        assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("accept, extension", [("text/html", ".html"), ("application/json", ".json")])
def test_download_is_an_attachment(api, accept, extension):
    client, store = api
    job_id = published(store, SCRIPTED, "html", "cms/desk 1")
    response = client.get(f"/v1/jobs/{job_id}/translations/de?download=1", headers={"Accept": accept})
    assert response.headers["Content-Disposition"] == f"attachment; filename={job_id}-de{extension}"
    article = client.get("/v1/articles/cms/desk 1/de?download=true", headers={"Accept": accept})
    assert article.headers["Content-Disposition"] == f"attachment; filename=cms_desk_1-de-r1{extension}"
    inline = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": accept})
    assert "Content-Disposition" not in inline.headers


def test_download_flag_is_validated(api):
    client, store = api
    job_id = published(store, "text", "text", "cms-flag")
    response = client.get(f"/v1/jobs/{job_id}/translations/de?download=perhaps")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"] == "download"


def test_every_response_says_nosniff(api):
    client, store = api
    job_id = published(store, "plain <b>text</b>", "text", "cms-plain")
    for response in (
        client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/plain"}),
        client.get(f"/v1/jobs/{job_id}"),
        client.get("/v1/jobs/nope"),
        client.get("/healthz"),
        client.post("/v1/jobs", data="x", content_type="text/plain"),
        client.get("/docs"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.status


def test_markdown_title_is_escaped_in_the_markdown_view(api):
    client, store = api
    job_id = published(store, "Body.", "markdown", "cms-title", title='<img src=x onerror="alert(1)"> *NATO*')
    markdown = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/markdown"})
    first_line = markdown.get_data(as_text=True).splitlines()[0]
    html = MarkdownIt("commonmark").render(first_line)
    assert html == "<h1>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; *NATO*</h1>\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40))
def test_markdown_literal_reads_back_as_the_same_text(text):
    # Inside a sentence, whatever the rendering holds comes back as text:
    # no emphasis, link, code span, entity or raw HTML.
    tokens = MarkdownIt("commonmark").enable("table").parseInline(f"a {markdown_literal(text)} b")[0].children
    assert [t.type for t in tokens] == ["text"] * len(tokens)
    assert "".join(t.content for t in tokens) == f"a {text} b"
