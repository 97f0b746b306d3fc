"""No page we serve makes a browser contact another host: the docs, their
assets, the OpenAPI document and the HTML view of an article are crawled, and
every reference a browser would follow must stay on this server."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from jobs.store import JobStore
from tests.helpers import keyed_client

BASE = "http://localhost/"
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "xlink:href",
    "manifest",
    "ping",
    "content",
}
# Problem type URIs are identifiers on a reserved domain (RFC 2606), never fetched.
RESERVED_SUFFIX = ".example"


class References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "srcset" and value:
                self.urls += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
            elif name == "content" and value and "url=" in value.lower():  # <meta http-equiv=refresh>
                self.urls.append(value.lower().split("url=", 1)[1])
            elif name in URL_ATTRIBUTES - {"content"} and value:
                self.urls.append(value)
            elif name == "style" and value:
                self.inline.append(value)
        self._in_inline = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_inline = False

    def handle_data(self, data):
        if self._in_inline:
            self.inline.append(data)


_COMMENTS = re.compile(r"/\*.*?\*/|(?:^|(?<=\s))//[^\n]*", re.S)
_ABSOLUTE = re.compile(r"""(?:[a-z][a-z0-9+.-]*:)?//[^\s"'<>)]+""", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.I)


def foreign(url: str, page: str) -> bool:
    absolute = urlsplit(urljoin(page, url.strip()))
    if absolute.scheme in ("data", "blob", "about"):
        return False
    return absolute.scheme not in ("http", "https") or absolute.netloc != urlsplit(BASE).netloc


@pytest.fixture(scope="module")
def client(make_app):
    return keyed_client(make_app(17))


def crawl_html(client, path: str) -> list[str]:
    """Foreign references of one page, following its local CSS."""
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code)
    page = urljoin(BASE, path)
    parser = References()
    parser.feed(response.get_data(as_text=True))
    found = [url for url in parser.urls if foreign(url, page)]
    for text in parser.inline:
        found += _ABSOLUTE.findall(_COMMENTS.sub("", text))
    for url in parser.urls:
        if foreign(url, page):
            continue
        local = urlsplit(urljoin(page, url))
        asset = client.get(local.path + (f"?{local.query}" if local.query else ""))
        # Assets answer 200; a link may redirect (the console's home to its sign-in page).
        assert asset.status_code < 400, f"{path} references {url}, which answers {asset.status_code}"
        if asset.mimetype == "text/css":
            css = asset.get_data(as_text=True)
            found += [u for pair in _CSS_URL.findall(css) for u in pair if u and foreign(u, urljoin(page, url))]
    return found


def test_the_docs_reference_no_other_host(client):
    assert crawl_html(client, "/docs") == []
    assert crawl_html(client, "/docs/oauth2-redirect") == []
    # The console's sign-in page, its stylesheet, script and icon (its other
    # pages are crawled by its own browser tests, which fail on any CSP breach).
    assert crawl_html(client, "/console/sign-in") == []
    # What the Swagger UI script fetches is set by its configuration in the page:
    # the spec from here, and no validator badge from validator.swagger.io.
    page = client.get("/docs").get_data(as_text=True)
    assert '"validatorUrl": null' in page and 'url: "/openapi.json"' in page


def test_the_bundled_swagger_ui_reads_our_openapi_version(client):
    # Swagger UI 4 shows "Unable to render this definition" for OpenAPI 3.1.
    from swagger_ui_bundle import swagger_ui_path

    bundled = tuple(int(n) for n in swagger_ui_path.name.rsplit("-", 1)[1].split("."))
    openapi = tuple(int(n) for n in client.get("/openapi.json").get_json()["openapi"].split(".")[:2])
    assert openapi < (3, 1) or bundled >= (5, 0), (openapi, bundled)


def test_the_openapi_document_names_no_other_host(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["servers"] == [{"url": "/", "description": "This server"}]

    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    hosts = {urlsplit(m).hostname for s in strings(spec) for m in _ABSOLUTE.findall(s)}
    assert all(h and h.endswith(RESERVED_SUFFIX) for h in hosts), hosts
    assert json.dumps(spec).count("cdn.") == 0


def test_the_html_view_of_an_article_adds_no_other_host(client):
    store = JobStore(client.application.extensions["newsroom"].redis)
    job_id = store.create(
        {
            "source_lang": "en",
            "target_langs": ["de"],
            "article": {"title": "T", "body": "Text *only*.", "format": "markdown"},
        }
    )
    claim = store.leases.claim(job_id, "de")
    store.leases.succeed(
        job_id, "de", claim.holder, {"title": "T", "body": "Text *only*.", "format": "markdown", "model": []}, None, {}
    )
    assert crawl_html(client, f"/v1/jobs/{job_id}/translations/de") == []


def test_the_crawler_sees_foreign_references():
    # The check itself can fail: each kind of reference it looks at is caught.
    parser = References()
    parser.feed(
        '<link href="https://cdn.example.org/x.css"><img srcset="/a.png 1x, //cdn.test/b.png 2x">'
        '<script>// a comment naming https://docs.test/\nload("https://cdn.test/ui.js")</script>'
        '<div style="background: url(https://t.test/p.gif)">'
    )
    page = urljoin(BASE, "/docs")
    assert [u for u in parser.urls if foreign(u, page)] == ["https://cdn.example.org/x.css", "//cdn.test/b.png"]
    inline = [m for text in parser.inline for m in _ABSOLUTE.findall(_COMMENTS.sub("", text))]
    assert inline == ["https://cdn.test/ui.js", "https://t.test/p.gif"]
    assert not foreign("docs/assets/swagger-ui.css", page) and not foreign("data:image/png;base64,AA", page)
