"""Publishing on the real stack: formats, content negotiation, revisions with
the segment cache, signed webhooks with retries."""

from __future__ import annotations

import json
import time

import pytest

from devtools.webhook_receiver import WebhookReceiver
from tests.helpers import DATA, WEBHOOK_SECRET, wait_for_job, wait_until
from jobs.webhooks import SIGNATURE_HEADER, tenant_secret, verify

# The whole path: real Redis, real Celery worker processes.
pytestmark = pytest.mark.e2e


def submit(client, article: dict, langs=("de",), **extra) -> dict:
    response = client.post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": list(langs), "article": article, **extra}
    )
    assert response.status_code == 202, response.get_json()
    return wait_for_job(client, response.get_json()["id"], timeout=120)


def test_html_article_and_content_negotiation(stack, client):
    html = (DATA / "article.html").read_text()
    status = submit(client, {"title": "NATO allies meet", "body": html, "format": "html"})
    url = f"/v1/jobs/{status['id']}/translations/de"

    as_json = client.get(url)
    assert as_json.mimetype == "application/json" and as_json.get_json()["format"] == "html"
    if stack.kind == "identity":
        assert as_json.get_json()["body"] == html

    page = client.get(url, headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and page.headers["Vary"] == "Accept"
    assert as_json.get_json()["body"] in page.get_data(as_text=True)
    assert page.headers["Last-Modified"]

    again = client.get(url, headers={"Accept": "text/html", "If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(url, headers={"Accept": "text/markdown"}).status_code == 406


def test_markdown_article_served_as_markdown_and_html(stack, client):
    markdown = (DATA / "article.md").read_text()
    status = submit(client, {"title": "NATO allies meet", "body": markdown, "format": "markdown"})
    url = f"/v1/jobs/{status['id']}/translations/de"
    md = client.get(url, headers={"Accept": "text/markdown"})
    assert md.mimetype == "text/markdown"
    body = client.get(url).get_json()["body"]
    assert md.get_data(as_text=True).endswith(body)
    html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<table>" in html and "<code>curl https://nato.int/Kyiv?q=NATO</code>" in html


def test_a_correction_translates_only_the_changed_paragraph(stack, client):
    marker = f"{stack.kind}-{time.time_ns()}"  # an article no earlier test has cached
    paragraphs = [f"Paragraph {n} of story {marker}. Its second sentence is number {n}." for n in range(6)]
    first = submit(client, {"title": f"Story {marker}", "body": "\n\n".join(paragraphs)}, external_id=f"cms-{marker}")
    stats = first["languages"]["de"]["stats"]
    assert stats["segments"] == 13 and stats["segments_translated"] == 13 and stats["cache_hits"] == 0
    assert first["revision"] == 1

    paragraphs[3] = f"Paragraph 3 of story {marker} was corrected. Only this one changed."
    second = submit(client, {"title": f"Story {marker}", "body": "\n\n".join(paragraphs)}, external_id=f"cms-{marker}")
    stats = second["languages"]["de"]["stats"]
    assert second["revision"] == 2
    assert stats["segments_translated"] == 2 and stats["cache_hits"] == 11 and stats["model_calls"] == 1

    latest = client.get(f"/v1/articles/cms-{marker}/de")
    assert latest.status_code == 200
    assert latest.get_json()["revision"] == 2 and latest.get_json()["job_id"] == second["id"]
    full = client.get(f"/v1/jobs/{second['id']}/translations/de").get_json()
    assert latest.get_json()["body"] == full["body"]
    assert client.get(f"/v1/articles/cms-{marker}/fr").status_code == 404
    assert client.get("/v1/articles/never-submitted/de").status_code == 404


@pytest.fixture()
def receiver():
    r = WebhookReceiver("/hooks/translations?source=newsroom", failures=2)
    yield r
    r.close()


def test_webhooks_are_signed_and_retried(stack, client, receiver):
    if stack.kind != "identity":
        pytest.skip("delivery does not depend on the model: run once, on the identity stack")
    status = submit(
        client, {"title": "Hook", "body": "One paragraph about NATO."}, langs=("de", "fr"), callback_url=receiver.url
    )

    # Two language events and one job event; the first two attempts got 500.
    def delivered() -> list[dict]:
        deliveries = client.get(f"/v1/jobs/{status['id']}").get_json()["webhook"]["deliveries"]
        return [d for d in deliveries if d["state"] == "delivered"]

    wait_until(lambda: len(delivered()) == 3, 60, what="three delivered webhook events")
    events = {}
    secret = tenant_secret(WEBHOOK_SECRET, client.api_key.key.tenant)  # the tenant's, not the shared one
    for headers, body in receiver.requests:
        assert verify(secret, body, headers[SIGNATURE_HEADER], receiver.url)
        assert not verify(WEBHOOK_SECRET, body, headers[SIGNATURE_HEADER], receiver.url)
        # Replayed to another endpoint within the window, the event does not verify.
        assert not verify(secret, body, headers[SIGNATURE_HEADER], receiver.url.replace("?source", "?src"))
        event = json.loads(body)
        events.setdefault(event["id"], []).append(event)
    assert len(receiver.requests) == 5  # 2 failures retried + 3 events
    assert sorted(e[0]["type"] for e in events.values()) == [
        "job.finished",
        "translation.succeeded",
        "translation.succeeded",
    ]
    retried = [d for d in delivered() if d["attempts"] > 1]
    assert retried and max(d["attempts"] for d in delivered()) <= 3


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:9/hook",
        "ftp://example.com/hook",
        "http://[::1]/hook",
    ],
)
def test_callback_to_a_refused_address_is_rejected(stack, client, url):
    response = client.post(
        "/v1/jobs",
        json={"source_lang": "en", "target_langs": ["de"], "article": {"title": "t", "body": "b"}, "callback_url": url},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "callback_url"
