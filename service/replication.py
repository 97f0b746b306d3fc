"""The API's side of jobs/replication.py: a successful write request is
answered only once a replica holds it (REDIS_ACK_REPLICAS; docs/ha.md).

One after-request hook for every view, so no path that changes something can
forget it; views whose writes are only counters (short translations, language
detection: the characters charged) say so with `@volatile` and answer at once.
"""

from __future__ import annotations

import redis
from flask import Flask, current_app, request

from jobs.replication import NotReplicated, Replication
from service import problems

WRITES = ("POST", "PUT", "PATCH", "DELETE")
RETRY_AFTER = 2


def volatile(view):
    """Mark a view whose writes may be lost in a failover without anyone having
    been told they were kept: rate and quota counters, nothing else."""
    view.volatile = True
    return view


def register(app: Flask, replication: Replication) -> None:
    if replication.replicas <= 0:
        return

    # Registered right after observability's hook, so that it runs after every
    # other after-request hook (the audit entry is a write too) and inside the request's clock.
    @app.after_request
    def confirm_on_replicas(response):
        if request.method not in WRITES or response.status_code >= 400:
            return response
        view = current_app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "volatile", False):
            return response
        try:
            replication.confirm()
        except NotReplicated as error:
            current_app.logger.error("write not confirmed by a replica: %s", error)
            return unconfirmed("no replica confirmed it in time")
        except redis.ConnectionError as error:  # the primary went away after the write
            current_app.logger.error("write not confirmed, Redis unreachable: %s", error)
            return unconfirmed("the primary became unreachable")
        return response


def unconfirmed(why: str):
    return current_app.make_response(
        problems.in_dialect(
            current_app,
            {
                "type": problems.PROBLEM_BASE + "service-unavailable",
                "title": "Service unavailable",
                "status": 503,
                "detail": f"The change was written but may not survive a failover ({why}); check whether it is there "
                f"and retry in {RETRY_AFTER} seconds.",
            },
            {"Retry-After": str(RETRY_AFTER)},
        )
    )
