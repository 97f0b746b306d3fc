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


# -- 11: terminal escapes in the audit trail ------------------------------------------------------

def test_keys_audit_prints_control_characters_escaped(app):
    client = keyed_client(app)
    assert client.delete("/v1/jobs/%1b%5b2J%1b%5d0;owned%07").status_code == 404  # audited: a write
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["keys", "audit", client.api_key.key.id]).output
    assert "\x1b" not in printed and "\x07" not in printed
    assert "\\x1b[2J\\x1b]0;owned\\x07" in printed


# -- 9: the webhook address filter ----------------------------------------------------------------
# Literal addresses only: getaddrinfo returns them without asking DNS, and nothing is sent.

@pytest.mark.parametrize("url", [
    "http://[64:ff9b::7f00:1]/hook",        # NAT64 of 127.0.0.1
    "http://[64:ff9b:1::a00:1]/hook",       # local-use NAT64 (RFC 8215) of 10.0.0.1
    "http://[2002:7f00:1::]/hook",          # 6to4 of 127.0.0.1
    "http://[2002:c0a8:101::1]/hook",       # 6to4 of 192.168.1.1
    "http://224.0.0.1/hook",                # multicast
    "http://[ff02::1]/hook",                # IPv6 multicast
    "http://[::ffff:127.0.0.1]/hook",       # IPv4-mapped loopback
])
def test_callback_addresses_that_lead_inside_are_refused(url):
    from jobs.webhooks import UnsafeCallbackURL, check_callback_url

    with pytest.raises(UnsafeCallbackURL, match="non-public"):
        check_callback_url(url)


def test_a_public_address_still_passes_the_filter():
    from jobs.webhooks import check_callback_url

    check_callback_url("http://[2a00:1450:4001:80b::200e]/hook")
    check_callback_url("http://93.184.216.34/hook")
