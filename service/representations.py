"""A finished translation as a publishable document: JSON by default, or the
rendered article for Accept: text/html, text/markdown or text/plain, with
ETag / Last-Modified and 304 on a matching If-None-Match."""

from __future__ import annotations

import html
import json
from datetime import datetime

from flask import Response, request

from service.problems import Problem
from translation.documents import FORMATS

JSON = "application/json"


def _html_page(lang: str, title: str, body_html: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body_html}\n</body>\n</html>\n"
    )


def render(translation: dict, mimetype: str) -> str:
    title, body, fmt, lang = translation["title"], translation["body"], translation["format"], translation["lang"]
    if mimetype == "text/html":
        return _html_page(lang, title, FORMATS[fmt].to_html(body))
    if mimetype == "text/markdown":
        return f"# {title}\n\n{body}"
    return f"{title}\n\n{body}"


def respond(translation: dict, finished_at: str | None) -> Response:
    offered = (JSON,) + FORMATS[translation["format"]].servable
    best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else JSON
    if best is None:
        raise Problem(406, "not-acceptable", "Not acceptable",
                      f"A {translation['format']} article can be served as {', '.join(offered)}.")
    if best == JSON:
        response = Response(json.dumps(translation, ensure_ascii=False), mimetype=JSON)
    else:
        response = Response(render(translation, best), mimetype=best)
        response.charset = "utf-8"
    response.vary.add("Accept")
    response.add_etag()
    if finished_at:
        response.last_modified = datetime.fromisoformat(finished_at.replace("Z", "+00:00"))
    response.cache_control.no_cache = True  # revalidate: a correction may replace it
    return response.make_conditional(request)
