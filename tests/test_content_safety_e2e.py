"""The injections of issue 15 through the whole path (real Redis, a real Celery
worker): a scripted revision replacing a published article, and a glossary
rendering holding HTML in Markdown and HTML articles."""

from __future__ import annotations

import time

import pytest
from markdown_it import MarkdownIt

from tests.helpers import wait_for_job

pytestmark = pytest.mark.e2e

PAYLOAD = '<img src=x onerror="alert(1)">'


def submit(client, **job) -> dict:
    response = client.post("/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], **job})
    assert response.status_code == 202, response.get_json()
    status = wait_for_job(client, response.get_json()["id"], timeout=120)
    assert status["state"] == "succeeded", status
    return status


def test_a_scripted_revision_is_served_without_running(stack, client):
    external_id = f"cms-{stack.kind}-{time.time_ns()}"
    submit(
        client,
        external_id=external_id,
        article={"title": "Summit", "format": "html", "body": "<p>Allies meet in Vilnius.</p>"},
    )
    second = submit(
        client,
        external_id=external_id,
        article={
            "title": "Summit",
            "format": "html",
            "body": "<p>Allies meet.</p><script>fetch('/v1/glossaries')</script><img src=x onerror=\"alert(1)\">",
        },
    )
    # Published in the transaction that stored the result: visible as soon as the job succeeded.
    assert client.get(f"/v1/articles/{external_id}/de").get_json()["revision"] == 2
    page = client.get(f"/v1/articles/{external_id}/de", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["ETag"]
    assert f"/v1/jobs/{second['id']}" not in page.get_data(as_text=True)  # the page is the article only
    assert "<script>fetch('/v1/glossaries')</script>" in page.get_data(as_text=True)  # script blocks are kept
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and policy.endswith("sandbox")
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def glossary_with_html_rendering(client) -> str:
    response = client.post(
        "/v1/glossaries",
        json={
            "name": f"injection-{time.time_ns()}",
            "source_lang": "en",
            "entries": [{"term": "Vilnius", "translations": {"de": PAYLOAD}}],
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_glossary_rendering_with_html_stays_text_in_markdown(stack, client):
    glossary_id = glossary_with_html_rendering(client)
    status = submit(
        client,
        glossary_ids=[glossary_id],
        article={
            "title": "Vilnius summit",
            "format": "markdown",
            "body": "Leaders meet in **Vilnius** today.\n\n| city |\n|---|\n| Vilnius |\n",
        },
    )
    assert status["languages"]["de"]["glossary"]["rendered_occurrences"] == 3
    url = f"/v1/jobs/{status['id']}/translations/de"
    markdown = client.get(url, headers={"Accept": "text/markdown"}).get_data(as_text=True)
    assert r'\<img src=x onerror="alert(1)"\>' in markdown
    # Rendered by any CommonMark renderer, the rendering is text, not an element.
    for rendered in (
        MarkdownIt("commonmark").enable("table").render(markdown),
        client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True),
    ):
        assert "<img" not in rendered
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in rendered
    # The title is plain text in JSON and escaped wherever it becomes markup.
    assert client.get(url).get_json()["title"].startswith(PAYLOAD)


def test_a_glossary_rendering_with_html_stays_text_in_html(stack, client):
    glossary_id = glossary_with_html_rendering(client)
    status = submit(
        client,
        glossary_ids=[glossary_id],
        article={"title": "Summit", "format": "html", "body": '<p>Leaders meet in <a href="/v">Vilnius</a>.</p>'},
    )
    body = client.get(f"/v1/jobs/{status['id']}/translations/de").get_json()["body"]
    assert "<img" not in body and '&lt;img src=x onerror="alert(1)">' in body
