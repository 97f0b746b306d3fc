"""The paths the worker writes into webhook events (jobs/links.py, no Flask
there) are the API's own routes for the job and for one translation."""

from __future__ import annotations

import pytest
from flask import url_for

from jobs import links
from tests.helpers import keyed_client


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(8)


@pytest.mark.parametrize(
    "path, endpoint, args",
    [
        (links.job("j0b-ID_1"), "jobs.get_job", {"job_id": "j0b-ID_1"}),
        (links.translation("j0b-ID_1", "pt-BR"), "jobs.get_translation", {"job_id": "j0b-ID_1", "lang": "pt-BR"}),
    ],
)
def test_links_are_the_api_routes(app, path, endpoint, args):
    assert app.url_map.bind("localhost").match(path, method="GET") == (endpoint, args)
    with app.test_request_context():
        assert url_for(endpoint, **args) == path


def test_the_linked_routes_answer(app):
    """Followed like a CMS would: an unknown job is the job route's own 404."""
    client = keyed_client(app)
    for path in (links.job("nope"), links.translation("nope", "de")):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["type"].endswith("job-not-found")
