"""Property-based API testing with schemathesis against /openapi.json on the
real app (real Redis, installed test models): generated requests, valid and
invalid, must never get a 5xx, and every response of our own API must match
the status codes, content types and schemas the document declares. The DeepL-
and LibreTranslate-compatible endpoints answer in their vendors' shapes (the
vendors document them; tests/test_compat_*.py drive their client libraries),
so only the "no 5xx" check applies to them. Bounded and seeded, so a run is
repeatable.

No worker runs here, so whatever needs the interactive worker (short
requests, detecting a job's source language) answers its designed 503 with
Retry-After after a short wait: that is the one 5xx allowed."""

from __future__ import annotations

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import Settings
from service import create_app
from tests.helpers import keyed_client, make_settings

# About a minute of generated requests: the full suite's, not make test-fast's.
pytestmark = pytest.mark.slow

COMPAT_TAGS = ["DeepL-compatible", "LibreTranslate-compatible"]


@schemathesis.check
def no_server_error_but_designed_unavailability(ctx, response, case):
    """Like not_a_server_error, except a 503 with Retry-After: the service
    saying a dependency (a worker, Redis) is away, as designed."""
    if response.status_code == 503 and "retry-after" in {name.lower() for name in response.headers}:
        return True
    return not_a_server_error(ctx, response, case)


CHECKS = [
    no_server_error_but_designed_unavailability,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The document does not depend on the settings: read it from an app that
# connects to nothing (create_app opens no connection), at collection time.
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(Settings()))
native_api = schema.exclude(tag=COMPAT_TAGS)
compat_apis = schema.include(tag=COMPAT_TAGS)


@pytest.fixture(scope="module")
def app(redis_server, model_dirs):
    """The app the generated requests go to: real Redis, the identity test models."""
    app_settings = make_settings(redis_server, 20, model_dirs["identity"], interactive_timeout_seconds=0.5)
    redis.Redis.from_url(app_settings.redis_url).flushdb()
    return create_app(app_settings)


@pytest.fixture(scope="module")
def auth(app) -> dict:
    """An admin key without limits: every operation is reachable."""
    key = keyed_client(app).api_key
    return {"Authorization": f"Bearer {key.secret}"}


BOUNDED = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@native_api.parametrize()
@BOUNDED
def test_api_conforms_to_its_openapi_document(case, app, auth):
    # /readyz answers a documented 503 here: no worker is running.
    checks = CHECKS[1:] if case.path == "/readyz" else CHECKS
    case.call_and_validate(app=app, headers=auth, checks=checks, excluded_checks=[not_a_server_error])


@compat_apis.parametrize()
@BOUNDED
def test_compatibility_apis_never_fail_on_generated_requests(case, app, auth):
    case.call_and_validate(
        app=app,
        headers=auth,
        checks=[no_server_error_but_designed_unavailability],
        excluded_checks=[not_a_server_error],
    )
