"""Request ids, access log lines and request metrics for every request, and
/metrics in Prometheus text for the operators' scraper."""

from __future__ import annotations

import logging
import time

from apiflask import APIBlueprint
from flask import Flask, Response, g, request

from access import ADMIN
from jobs.heartbeats import HEARTBEAT_INTERVAL_SECONDS
from service.auth import or_token, requires
from service.wiring import services
from telemetry import logs, metrics

REQUEST_ID = "X-Request-ID"
access_log = logging.getLogger("newsroom.access")

bp = APIBlueprint("metrics", __name__, enable_openapi=False)


def register(app: Flask) -> None:
    @app.before_request
    def start_request():
        g.request_started = time.perf_counter()
        g.request_id = logs.request_id(request.headers.get(REQUEST_ID))
        g.log_token = logs.start(request_id=g.request_id)

    @app.after_request
    def finish_request(response):
        started = g.pop("request_started", None)
        if started is None:  # a request that failed before before_request ran
            return response
        seconds = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.HTTP_REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(seconds)
        response.headers[REQUEST_ID] = g.request_id
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,  # no query: it may hold a key
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "remote_addr": request.remote_addr,
            },
        )
        return response

    @app.teardown_request
    def end_request(_error=None):
        token = g.pop("log_token", None)
        if token is not None:
            logs.reset(token)


@bp.get("/metrics")
@requires(ADMIN)
@or_token("metrics_token")  # what Prometheus gets: it opens /metrics and nothing else
def scrape():
    s = services()
    state = metrics.RedisStateCollector(s.jobs, (s.celery.conf.task_default_queue,), HEARTBEAT_INTERVAL_SECONDS)
    return Response(
        metrics.exposition(state),
        mimetype=metrics.CONTENT_TYPE_LATEST.split(";")[0],
        headers={"Cache-Control": "no-store"},
    )
