"""Errors as RFC 9457 problem documents: every 4xx/5xx body has type, title,
status and detail, served as application/problem+json; on the compatibility
APIs' blueprints every one of them (Redis failures included) is reshaped into
their clients' dialect (`speak`)."""

from __future__ import annotations

import io
import json

import redis
from apiflask import HTTPError
from typing import Callable

from config import Settings
from flask import Flask, request
from werkzeug.exceptions import HTTPException

PROBLEM_BASE = "https://newsroom-translate.example/problems/"

# Seconds a client should wait before retrying while Redis is unreachable or
# still loading its data after a restart (it answers within seconds).
REDIS_RETRY_AFTER = 5


class Problem(HTTPError):
    """An error with its own problem type; raise it from a view.

    `slug` names the problem type, `extra` adds members (e.g. the available
    language pairs) to the document.
    """

    def __init__(self, status: int, slug: str, title: str, detail: str, headers=None, **extra):
        super().__init__(status, message=title, detail=detail, headers=headers, extra_data={"slug": slug, **extra})


def unprocessable(field: str, message: str, slug: str = "validation-error", **extra) -> Problem:
    """A 422 naming the field, shaped like schema validation errors."""
    return Problem(
        422, slug, "Invalid request", f"{field}: {message}", errors=[{"field": field, "message": message}], **extra
    )


def refused(refusal) -> Problem:
    """A use case's typed refusal (jobs.submission.Refusal) as a problem; one naming a
    field carries `errors` like schema validation errors."""
    extra = dict(refusal.extra)
    if refusal.field:
        extra["errors"] = [{"field": refusal.field, "message": refusal.detail.removeprefix(f"{refusal.field}: ")}]
    return Problem(
        refusal.status, refusal.slug, refusal.title, refusal.detail, headers=dict(refusal.headers) or None, **extra
    )


def _validation_errors(messages, path: str = "") -> list[dict]:
    """Flatten marshmallow's nested messages into [{field, message}]."""
    if isinstance(messages, dict):
        errors = []
        for key, value in messages.items():
            # The request location ("json", "query") is not part of the field name.
            field = (
                path
                if key in ("json", "query", "headers", "form", "files") and not path
                else f"{path}.{key}"
                if path
                else str(key)
            )
            errors.extend(_validation_errors(value, field))
        return errors
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": path or None, "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for m in messages for e in _validation_errors(m, path)]
    return [{"field": path or None, "message": str(messages)}]


def problem_from_error(error: HTTPError) -> dict:
    extra = dict(error.extra_data or {})
    slug = extra.pop("slug", None)
    doc = {"type": "about:blank", "title": error.message, "status": error.status_code, "detail": None}
    if slug:
        doc["type"] = PROBLEM_BASE + slug
        doc["detail"] = error.detail
    elif error.status_code == 422 and isinstance(error.detail, dict):
        errors = _validation_errors(error.detail)
        doc.update(
            type=PROBLEM_BASE + "validation-error",
            title="Invalid request",
            detail="; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors),
            errors=errors,
        )
    elif error.status_code == 400 and request.mimetype == "application/json":
        doc.update(
            type=PROBLEM_BASE + "malformed-json", title="Malformed JSON", detail="The request body is not valid JSON."
        )
    if doc["detail"] in (None, {}, ""):
        doc["detail"] = _DEFAULT_DETAIL.get(error.status_code, error.message)
    doc.update(extra)
    return doc


_DEFAULT_DETAIL = {
    404: "No such resource.",
    405: "This method is not allowed on this resource.",
    413: "The request body exceeds the size limit.",
    415: "The request body must be JSON (Content-Type: application/json).",
}


# Blueprint name -> how its API writes errors: (problem document, headers) ->
# (body, status, headers). The compatibility APIs answer in their clients' shapes.
Dialect = Callable[[dict, dict], tuple[object, int, dict]]


def speak(app: Flask, blueprint: str, dialect: Dialect) -> None:
    """Errors of `blueprint`'s views (access control's included) in `dialect`."""
    app.extensions.setdefault("problem_dialects", {})[blueprint] = dialect


def in_dialect(app: Flask, doc: dict, headers: dict):
    dialect = app.extensions.get("problem_dialects", {}).get(request.blueprint) if request else None
    if dialect is None:
        return doc, doc["status"], {**headers, "Content-Type": "application/problem+json"}
    return dialect(doc, headers)


def accepts_any_body(view):
    """Mark a view that reads a non-JSON body itself (glossary imports)."""
    view.accepts_any_body = True
    return view


def json_depth(value) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def check_json_depth(max_depth: int) -> None:
    """400 for a JSON body nested deeper than max_depth (the decoder would
    otherwise recurse until RecursionError, a 500)."""
    if not request.content_length or not request.is_json:
        return
    try:
        value = json.loads(request.get_data(cache=True))
    except RecursionError:
        depth = None
    except ValueError:
        return  # malformed: the schema layer answers 400 malformed-json
    else:
        depth = json_depth(value)
        if depth <= max_depth:
            return
    found = "far deeper than" if depth is None else f"{depth} levels deep, more than"
    raise Problem(
        400,
        "json-too-deep",
        "JSON nested too deeply",
        f"The request body nests arrays and objects {found} the limit of {max_depth} (MAX_JSON_DEPTH).",
    )


def describe_errors(spec: dict) -> dict:
    """The OpenAPI document as errors really are sent: as application/problem+json,
    with the statuses every operation can answer (503 while Redis is away,
    with Retry-After; 400/413/415 for bodies that are not acceptable JSON)."""
    problem = {"$ref": "#/components/schemas/ProblemDocument"}
    retry_after = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
    added = {503: ("Redis (job store and queue) unreachable or loading; retry after Retry-After", retry_after)}
    with_body = {
        400: ("Malformed JSON, or JSON nested deeper than MAX_JSON_DEPTH", None),
        413: ("Body larger than MAX_BODY_BYTES", None),
        415: ("Body is not JSON", None),
    }
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            extra = dict(added) if path not in ("/healthz", "/readyz", "/openapi.json") else {}
            if "requestBody" in operation:
                extra.update(with_body)
            for status, (description, headers) in extra.items():
                responses.setdefault(
                    str(status), {"description": description, "content": {"application/json": {"schema": problem}}}
                )
                if headers:
                    responses[str(status)].setdefault("headers", headers)
            for status, response in responses.items():
                content = response.get("content", {})
                if (
                    status[0] in "45"
                    and "application/json" in content
                    and content["application/json"].get("schema") == problem
                ):
                    response["content"] = {"application/problem+json": content["application/json"]}
    return spec


class BoundedStreamedBody:
    """WSGI middleware: a body sent without Content-Length (chunked) is read here,
    at most `limit` + 1 bytes, and handed on as if it had come with one.

    Werkzeug enforces MAX_CONTENT_LENGTH on such a stream by reading up to the
    limit and stopping there, so a 3 MB chunked JSON body was cut at 1 MB and
    could be accepted, where the same body with a Content-Length got 413; and
    every hook that checks `request.content_length` (JSON depth, JSON only)
    skipped it. A body over the limit is handed on with a Content-Length of
    `limit` + 1 and nothing to read: the app refuses it with the same 413 as
    any other oversized body.
    """

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        if (
            environ.get("CONTENT_LENGTH") in (None, "")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            stream = environ["wsgi.input"]
            body = stream.read(self.limit + 1)
            if len(body) > self.limit:
                body = b""
                environ["CONTENT_LENGTH"] = str(self.limit + 1)
            else:
                environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(body)
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def register(app: Flask, max_json_depth: int = Settings.max_json_depth) -> None:
    from service.schemas import ProblemDocument

    app.wsgi_app = BoundedStreamedBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])

    # After any processor registered before (access control documents its security).
    previous = app.spec_callback
    app.spec_processor(lambda spec: describe_errors(previous(spec) if previous else spec))

    app.config.update(
        VALIDATION_ERROR_STATUS_CODE=422,
        # The OpenAPI document describes errors as they really are sent.
        VALIDATION_ERROR_SCHEMA=ProblemDocument,
        HTTP_ERROR_SCHEMA=ProblemDocument,
    )

    @app.before_request
    def require_json_body():
        # Without this, a text/plain body would be read as "no fields" and
        # answered with a misleading list of missing fields.
        if request.method not in ("POST", "PUT", "PATCH") or not request.content_length or request.is_json:
            return None
        view = app.view_functions.get(request.endpoint)
        if view is not None and not getattr(view, "accepts_any_body", False):
            raise HTTPError(415, "Unsupported Media Type")
        return None

    @app.before_request
    def limit_json_depth():
        check_json_depth(max_json_depth)

    @app.errorhandler(redis.ConnectionError)  # includes BusyLoadingError (Redis loading after a restart)
    @app.errorhandler(redis.TimeoutError)
    def redis_unavailable(error: redis.RedisError):
        app.logger.warning("redis unavailable: %s", error)
        loading = isinstance(error, redis.BusyLoadingError)
        return in_dialect(
            app,
            {
                "type": PROBLEM_BASE + "service-unavailable",
                "title": "Service unavailable",
                "status": 503,
                "detail": "The job store is "
                + ("loading its data after a restart" if loading else "unreachable")
                + f"; retry in {REDIS_RETRY_AFTER} seconds.",
            },
            {"Retry-After": str(REDIS_RETRY_AFTER)},
        )

    @app.error_processor
    def problem_document(error: HTTPError):
        doc = problem_from_error(error)
        if doc["status"] == 413:
            doc["detail"] = f"The request body exceeds the limit of {app.config['MAX_CONTENT_LENGTH']} bytes."
        return in_dialect(app, doc, dict(error.headers or {}))

    @app.errorhandler(redis.exceptions.OutOfMemoryError)
    def storage_full(error: redis.exceptions.OutOfMemoryError):
        # Redis runs with maxmemory and `noeviction`: when full it refuses writes
        # rather than silently dropping jobs or glossaries. The write was refused
        # whole (transactions are all or nothing), so the client may retry later.
        app.logger.error("Redis is full (maxmemory reached): %s", error)
        return in_dialect(
            app,
            {
                "type": PROBLEM_BASE + "storage-full",
                "title": "Insufficient storage",
                "status": 507,
                "detail": "The job store is full; nothing was saved. Retry later; operators: see Redis maxmemory.",
            },
            {"Retry-After": "60"},
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):  # routed by APIFlask's json_errors
            raise error
        app.logger.exception("unhandled error")
        return in_dialect(
            app,
            {
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
                "detail": "An unexpected error occurred; it has been logged.",
            },
            {},
        )
