"""A CMS revision is published in the transaction that stores its result: a
client that sees the language succeeded finds the article published, and an
older revision finishing late never replaces a newer one."""

from __future__ import annotations

import redis

from jobs.store import JobStore
from tests.helpers import make_settings


def test_publication_is_atomic_with_the_result_and_never_goes_backwards(redis_server, model_dirs):
    settings = make_settings(redis_server, 18, model_dirs["identity"])
    client = redis.Redis.from_url(settings.redis_url)
    client.flushdb()
    store = JobStore(client)

    def finish(revision: int) -> str:
        job_id = store.create(
            {
                "source_lang": "en",
                "target_langs": ["de"],
                "external_id": "cms-1",
                "revision": revision,
                "article": {"title": "", "body": ""},
            }
        )
        claim = store.leases.claim(job_id, "de")
        assert store.leases.succeed(
            job_id,
            "de",
            claim.holder,
            {"body": f"r{revision}", "model": []},
            None,
            {},
            publish=("cms-1", revision, "desk"),
        )
        return job_id

    second = finish(2)
    assert store.articles.published("cms-1", "de", "desk")["job_id"] == second  # no gap after `succeed`
    first = finish(1)  # finished late, on another worker
    assert store.language(first, "de").state == "succeeded" and store.result(first, "de")["body"] == "r1"
    assert store.articles.published("cms-1", "de", "desk")["revision"] == 2
    assert store.articles.published("cms-1", "de", "other-tenant") is None
