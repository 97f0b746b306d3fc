"""A finished translation as a publishable document: JSON by default, or the
rendered article for Accept: text/html, text/markdown or text/plain, or the
file itself for a file format (DOCX, ODT, PPTX, SRT, WebVTT) with Accept: its
media type, with ETag / Last-Modified and 304 on a matching If-None-Match.

A rendered article is content a client submitted, served from the API's own
origin: its HTML view carries a Content-Security-Policy that forbids scripts
and sandboxes the page, so a `<script>` or an `onerror=` in a body is shown,
never run. `?download=1` serves any representation as an attachment."""

from __future__ import annotations

import html
import json
import unicodedata
from datetime import datetime
from urllib.parse import quote

from flask import Response, request
from werkzeug.utils import secure_filename

from service.problems import Problem
from translation.documents import FORMATS, file_from_body, markdown_literal

JSON = "application/json"

# No script, plugin, frame, form or fetch; styles inline (articles carry them)
# and images from anywhere (articles embed them); `sandbox` gives the page a
# unique origin even in a browser that ignores the rest.
ARTICLE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; base-uri 'none'; form-action 'none'; sandbox"
)


def attachment(filename: str, fallback: str = "document") -> str:
    """A Content-Disposition value for a client's own file name (RFC 6266): the
    name made safe (no control characters, quotes, separators or path parts),
    as `filename=` in ASCII (secure_filename) and, when it is not plain ASCII,
    as `filename*=UTF-8''…` too (RFC 5987, percent-encoded), so "статья.html"
    comes back as such while the header stays ASCII (a raw non-ASCII header is
    a 500 in gunicorn) and no parameter can be smuggled in."""
    name = "".join(
        "_" if c in '"\\/;:*?<>|' else c for c in unicodedata.normalize("NFC", filename or "") if c.isprintable()
    ).strip(" ._")
    ascii_name = secure_filename(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    extension = secure_filename(name.rsplit(".", 1)[-1]) if "." in name else ""
    if not ascii_name or ascii_name == extension:  # nothing of the name was ASCII but its extension
        ascii_name = fallback + (f".{extension}" if extension else "")
    value = f'attachment; filename="{ascii_name}"'
    if not name.isascii():
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


_EXTENSIONS = {JSON: ".json", "text/html": ".html", "text/markdown": ".md", "text/plain": ".txt"}


def _html_page(lang: str, title: str, body_html: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
        + (f"<h1>{html.escape(title)}</h1>\n" if title else "")  # a file's job may have no title
        + f"{body_html}\n</body>\n</html>\n"
    )


def render(translation: dict, mimetype: str) -> str | bytes:
    title, body, fmt, lang = translation["title"], translation["body"], translation["format"], translation["lang"]
    if FORMATS[fmt].whole_file and mimetype == FORMATS[fmt].media_type:
        return file_from_body(body, fmt)  # the file itself: the title is not part of it
    if mimetype == "text/html":
        return _html_page(lang, title, FORMATS[fmt].to_html(body))
    if mimetype == "text/markdown":
        return f"# {markdown_literal(title)}\n\n{body}"  # the title is plain text
    return f"{title}\n\n{body}"


def respond(translation: dict, finished_at: str | None, download: bool = False, filename: str = "") -> Response:
    offered = (JSON,) + FORMATS[translation["format"]].servable
    best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else JSON
    if best is None:
        raise Problem(
            406,
            "not-acceptable",
            "Not acceptable",
            f"A {translation['format']} article can be served as {', '.join(offered)}.",
        )
    if best == JSON:
        response = Response(json.dumps(translation, ensure_ascii=False), mimetype=JSON)
    else:
        response = Response(render(translation, best), mimetype=best)
        if best.startswith("text/"):
            response.charset = "utf-8"
    if best == "text/html":
        response.headers["Content-Security-Policy"] = ARTICLE_CSP
    if download:
        name = secure_filename(filename or f"{translation['lang']}") or "translation"
        fmt = FORMATS[translation["format"]]
        extension = fmt.extensions[0] if best == fmt.media_type and fmt.whole_file else _EXTENSIONS[best]
        response.headers.set("Content-Disposition", "attachment", filename=name + extension)
    response.vary.add("Accept")
    response.add_etag()
    if finished_at:
        response.last_modified = datetime.fromisoformat(finished_at.replace("Z", "+00:00"))
    response.cache_control.no_cache = True  # revalidate: a correction may replace it
    return response.make_conditional(request)
