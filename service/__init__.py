"""The HTTP API: an app factory wiring one blueprint per resource.

Run with:  gunicorn 'service:create_app()'
"""

from __future__ import annotations

import redis
from apiflask import APIFlask

from config import Settings
from glossary.store import GlossaryStore
from service import problems
from service.wiring import ModelCatalog, Services
from workers.celery_app import create_celery
from jobs.store import JobStore


def create_app(settings: Settings | None = None) -> APIFlask:
    settings = settings or Settings.from_env()
    app = APIFlask(
        __name__,
        title="Newsroom Translation API",
        version="1.0",
        spec_path="/openapi.json",
        docs_path="/docs",
    )
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        SPEC_FORMAT="json",
        INFO={"description": "Offline article translation with glossaries, on Argos Translate models."},
    )
    problems.register(app)

    client = redis.Redis.from_url(settings.redis_url)
    app.extensions["newsroom"] = Services(
        settings=settings,
        redis=client,
        jobs=JobStore(client, settings.job_ttl_seconds),
        glossaries=GlossaryStore.from_settings(client, settings),
        celery=create_celery(settings),
        catalog=ModelCatalog(settings.argos_packages_dir, settings.pivot_lang),
    )

    from service import articles, glossaries, health, jobs, languages

    for module in (health, languages, jobs, glossaries, articles):
        app.register_blueprint(module.bp)
    return app
