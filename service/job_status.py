"""A job as the API shows it, to the callers who may see it.

A job belongs to the tenant of the key that submitted it: other tenants' keys
get 404 for it (not 403, so a job id reveals nothing); admin keys see every job.
"""

from __future__ import annotations

from jobs.store import JobNotFound
from service.auth import current_key, is_admin
from service.problems import Problem
from service.wiring import services


def status_or_404(job_id: str) -> dict:
    """The job's status, if the caller may see it; the same 404 whether it does not exist or is not theirs."""
    try:
        status = services().jobs.status(job_id)
    except JobNotFound:
        status = None
    if status is None or not (is_admin() or status.get("owner", {}).get("tenant") == current_key().tenant):
        raise Problem(404, "job-not-found", "Job not found", f"There is no job {job_id!r}.")
    return status
