"""Issue 23, the attack on a loopback stack with keys of two tenants: one test
(or a few) per finding, each failing on the code before its fix. Real app,
real Redis (database 27), no workers."""

from __future__ import annotations

import io
import json

import pytest
from flask import Response
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.helpers import job_body, keyed_client


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(27, interactive_timeout_seconds=0.1, ready_check_timeout_seconds=0.1)


# -- 12: a chunked body over the limit ------------------------------------------------------------

def _chunked(client, path: str, body: bytes):
    """A body as gunicorn hands on a chunked one: no Content-Length, the stream
    terminated by the server. (The test client would add a Content-Length.)"""
    environ = EnvironBuilder(path, method="POST", input_stream=io.BytesIO(body), content_type="application/json",
                             headers={"Transfer-Encoding": "chunked",
                                      "Authorization": client.environ_base["HTTP_AUTHORIZATION"]}).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    body, status, headers = run_wsgi_app(client.application, environ, buffered=True)
    return Response(b"".join(body), status, headers)


def test_a_chunked_body_over_the_limit_is_a_413_like_one_with_a_content_length(app):
    client = keyed_client(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    article = job_body()
    article["article"]["body"] = "Word. " * (3 * limit // 6)
    body = json.dumps(article).encode()
    assert client.post("/v1/jobs", data=body, content_type="application/json").status_code == 413
    response = _chunked(client, "/v1/jobs", body)
    assert response.status_code == 413, response.get_json()
    assert response.get_json()["detail"] == f"The request body exceeds the limit of {limit} bytes."


def test_a_chunked_body_within_the_limit_is_read_whole(app):
    client = keyed_client(app)
    response = _chunked(client, "/v1/jobs", json.dumps(job_body()).encode())
    assert response.status_code == 202, response.get_json()
