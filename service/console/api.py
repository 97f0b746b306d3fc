"""The console's only way to data: the API itself, called in process.

A console page never reads or writes a store. It sends the same HTTP request
a curl user would, as the key its editor signed in with, through WSGI into
this very app (httpx's WSGI transport), so the page can do exactly what that
key may do over HTTP: the API's validation, roles, limits, problem documents
and audit apply unchanged, and there is no second set of rules to keep in step.

A signed-in page does not have the key itself: the session keeps only the
key's id. Its requests carry that id in the WSGI environ
(`service.auth.IN_PROCESS_KEY`), a place no HTTP client can write to, and the
access hook checks that key's record (revoked? which roles?) as it would check
a presented key. Only signing in sends the key typed, as a Bearer header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask

from service.auth import IN_PROCESS_KEY
from telemetry import logs

# The host name the in-process requests carry; it never reaches a network.
_BASE_URL = "http://api.internal"


@dataclass
class ApiError(Exception):
    """A 4xx/5xx answer of the API, with its problem document."""

    status: int
    title: str
    detail: str
    problem: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(f"{self.status} {self.title}: {self.detail}")

    @property
    def errors(self) -> list[dict]:
        """Field errors ([{field, message}]) or import errors ([{line, field, reason}])."""
        items = self.problem.get("errors")
        return items if isinstance(items, list) else []

    @classmethod
    def from_response(cls, response: httpx.Response) -> "ApiError":
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        title = str(problem.get("title") or response.reason_phrase or "Error")
        detail = problem.get("detail")
        return cls(response.status_code, title, detail if isinstance(detail, str) else title, problem)


def _acting_as(app: Flask, key_id: str):
    """`app` with every request marked as made by the key `key_id`, in process."""

    def wsgi(environ, start_response):
        return app({**environ, IN_PROCESS_KEY: key_id}, start_response)

    return wsgi


class ConsoleApi:
    """Requests to this app's API as a key: `key` sent as a Bearer header (signing in),
    or the signed-in key named by `key_id` (every page after); neither: no key."""

    def __init__(self, app: Flask, key: str | None = None, *, key_id: str | None = None):
        self._app = app
        wsgi = _acting_as(app, key_id) if key_id else app
        self._client = httpx.Client(
            transport=httpx.WSGITransport(app=wsgi),
            base_url=_BASE_URL,
            headers={"Authorization": f"Bearer {key}"} if key else {},
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self, method: str, path: str, *, etag: str | None = None, accept: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """The API's answer; ApiError for any status of 400 and above."""
        headers = dict(kwargs.pop("headers", None) or {})
        if etag:
            headers["If-Match"] = etag
        if accept:
            headers["Accept"] = accept
        request_id = logs.current("request_id")
        if request_id:  # the page's request id on the API's log lines (and on to the workers)
            headers.setdefault("X-Request-ID", request_id)
        # A fresh application context: the inner request must not share `g`
        # (the caller's key, audit state) with the console request around it.
        with self._app.app_context():
            response = self._client.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()
