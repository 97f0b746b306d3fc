"""LibreTranslate's API in this service's terms, with its shapes (its server 1.9.6).

LibreTranslate reads every parameter from a form or a JSON body; `q` is a
string or (JSON only) a list; `source` may be "auto"; confidences are on a
0-100 scale; every error is {"error": "..."} with 400, 403 or 429.
"""

from __future__ import annotations

from dataclasses import dataclass

from compat import codes

FORMATS = {"text": "text", "html": "html"}
FILE_FORMATS = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
    ".odt": "odt",
    ".pptx": "pptx",
    ".srt": "srt",
    ".vtt": "vtt",
}


class LibreError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def params(form, json_body) -> dict:
    """Parameters from a JSON object or a form (only the first `q` of a form counts, as in LibreTranslate)."""
    if json_body is not None:
        if not isinstance(json_body, dict):
            raise LibreError("Invalid JSON format")
        return json_body
    data = {key: form.get(key) for key in form.keys()}
    if isinstance(data.get("q"), str):
        data["q"] = data["q"].replace("\r\n", "\n")
    return data


@dataclass
class TextRequest:
    texts: list[str]
    batch: bool
    source: str | None  # None: detect ("auto")
    target: str
    format: str
    alternatives: int


def text_request(data: dict) -> TextRequest:
    q = data.get("q")
    if q is None or q == "" or q == []:
        raise LibreError("Invalid request: missing q parameter")
    batch = isinstance(q, list)
    texts = q if batch else [q]
    if not all(isinstance(t, str) for t in texts):
        raise LibreError("Invalid request: q must be a string or a list of strings")
    for name in ("source", "target"):
        if not data.get(name):
            raise LibreError(f"Invalid request: missing {name} parameter")
    source = codes.from_libre(data["source"])
    fmt = str(data.get("format") or "text")
    if fmt not in FORMATS:
        raise LibreError(f"{fmt} format is not supported")
    try:
        alternatives = int(data.get("alternatives") or 0)
    except (TypeError, ValueError):
        raise LibreError("Invalid request: alternatives must be an integer")
    return TextRequest(
        texts, batch, None if source == "auto" else source, codes.from_libre(data["target"]), FORMATS[fmt], alternatives
    )


def detected(detection: dict) -> dict:
    """{language, confidence} with LibreTranslate's 0-100 confidence."""
    return {"confidence": round(detection["confidence"] * 100, 1), "language": detection["language"]}


def translation(request: TextRequest, results: list[dict]) -> dict:
    texts = [r["text"] for r in results]
    body: dict = {"translatedText": texts if request.batch else texts[0]}
    if request.source is None:
        found = [detected(r["detected"]) for r in results]
        body["detectedLanguage"] = found if request.batch else found[0]
    if request.alternatives > 0:
        # One hypothesis per text: beam search keeps only the best.
        body["alternatives"] = [[] for _ in texts] if request.batch else []
    return body


def languages(routes) -> list[dict]:
    sources = sorted({s for s, _ in routes} | {t for _, t in routes})
    return [
        {"code": code, "name": codes.name(code), "targets": sorted(t for s, t in routes if s == code)}
        for code in sources
    ]


def error(doc: dict, headers: dict) -> tuple[dict, int, dict]:
    """A problem document as LibreTranslate answers: {"error": …}; key problems as it reports them."""
    status = doc["status"]
    kind = doc.get("type", "").rsplit("/", 1)[-1]
    message = doc.get("detail") or doc.get("title") or "error"
    if kind == "missing-api-key":
        status, message = 400, "Please contact the server operator to get an API key"
    elif status == 401:
        status, message = 403, "Invalid API key"
    elif status == 429:
        message = f"Slowdown: {message}"
    elif status in (413, 415, 422):
        status = 400
    headers = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
    return {"error": message}, status, headers
