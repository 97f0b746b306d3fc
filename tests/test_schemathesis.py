"""Property-based API testing with schemathesis against /openapi.json on the
real app (real Redis, installed test models): generated requests, valid and
invalid, must never get a 5xx, and every response must match the status codes,
content types and schemas the document declares. Bounded and seeded, so a
run is repeatable."""

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

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The document does not depend on the settings: read it from an app that
# connects to nothing (create_app opens no connection), at collection time.
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(Settings()))


@pytest.fixture(scope="module")
def app(redis_server, model_dirs):
    """The app the generated requests go to: real Redis, the identity test models."""
    app_settings = make_settings(redis_server, 9, model_dirs["identity"])
    redis.Redis.from_url(app_settings.redis_url).flushdb()
    return create_app(app_settings)


@pytest.fixture(scope="module")
def auth(app) -> dict:
    """An admin key without limits: every operation is reachable."""
    key = keyed_client(app).api_key
    return {"Authorization": f"Bearer {key.secret}"}


@schema.parametrize()
@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_openapi_document(case, app, auth):
    # /readyz answers a documented 503 here: no worker is running.
    checks = CHECKS[1:] if case.path == "/readyz" else CHECKS
    case.call_and_validate(app=app, headers=auth, checks=checks)
