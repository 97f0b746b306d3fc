"""The HTTP API: an app factory wiring one blueprint per resource.

Run with:  gunicorn 'service:create_app()'
Key management:  flask --app service keys --help
"""

from __future__ import annotations

import threading

from apiflask import APIFlask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings
from glossary.store import GlossaryStore
from jobs.redis_client import connect
from jobs.replication import Replication
from jobs.store import JobStore
from service import auth, console, docs_assets, observability, problems, replication, security_headers
from service.openapi import App
from service.interactive import InteractiveClient, waiting_places
from service.wiring import ModelCatalog, Services
from translation.engines import build_engines
from workers.celery_app import create_celery


def create_app(settings: Settings | None = None) -> APIFlask:
    settings = settings or Settings.from_env()
    app = App(
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
        INFO={"description": "Offline article translation with glossaries, on Argos Translate and Bergamot models."},
        **docs_assets.CONFIG,
    )
    if settings.proxy_hops:
        # Behind the front (nginx): the client's address (logs), scheme and
        # host (absolute links such as LibreTranslate's translatedFileUrl)
        # are the ones it saw, from the headers it sets.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    client = connect(settings, patient=False)
    # The request id and clock first (they read one header, not the body), so
    # that refused requests are logged and measured too; then access control,
    # whose hook must answer 401/403/429 before any other hook reads the request.
    observability.register(app)
    # A successful write is answered once a replica has it (REDIS_ACK_REPLICAS; docs/ha.md).
    replication.register(app, Replication.from_settings(client, settings))
    auth.register(app, settings, client)
    problems.register(app, max_json_depth=settings.max_json_depth)
    security_headers.register(app)

    celery = create_celery(settings)
    app.extensions["newsroom"] = Services(
        settings=settings,
        redis=client,
        jobs=JobStore.from_settings(client, settings),
        glossaries=GlossaryStore.from_settings(client, settings),
        celery=celery,
        catalog=ModelCatalog(build_engines(settings), settings.pivot_lang),
        # Its own connections: a BLPOP waits longer than redis-py's default 5 s socket timeout.
        interactive=InteractiveClient(
            celery,
            connect(settings, patient=False, socket_timeout=settings.interactive_timeout_seconds + 5),
            settings.interactive_timeout_seconds,
            threading.BoundedSemaphore(waiting_places(settings.api_threads)),
        ),
    )

    from service import (
        articles,
        deepl,
        deepl_memories,
        deepl_v3,
        glossaries,
        health,
        jobs,
        keys,
        languages,
        libre,
        memories,
        segments,
        translation_checks,
    )
    from service.cli import keys_cli
    from compat import deepl as deepl_api, libre as libre_api

    for blueprint in (
        health.bp,
        languages.bp,
        jobs.bp,
        glossaries.bp,
        articles.bp,
        keys.bp,
        keys.usage_bp,
        docs_assets.bp,
        observability.bp,
        deepl.bp,
        deepl_v3.bp,
        libre.bp,
        translation_checks.bp,
        segments.bp,
        memories.bp,
        deepl_memories.bp,
    ):
        app.register_blueprint(blueprint)
    console.register(app, settings, client)
    # The compatibility APIs answer errors (access control's included) in their clients' shapes.
    problems.speak(app, deepl.bp.name, deepl_api.error)
    problems.speak(app, deepl_v3.bp.name, deepl_api.error)
    problems.speak(app, deepl_memories.bp.name, deepl_api.error)
    problems.speak(app, libre.bp.name, libre_api.error)
    auth.check_declarations(app)
    app.cli.add_command(keys_cli)
    return app
