"""The API paths that events and responses point at, written once.

The worker has no Flask app to build URLs with, so the paths live here and the
API's routes are checked against them by tests/test_api_links.py.
"""

from __future__ import annotations


def job(job_id: str) -> str:
    return f"/v1/jobs/{job_id}"


def translation(job_id: str, lang: str) -> str:
    return f"/v1/jobs/{job_id}/translations/{lang}"
