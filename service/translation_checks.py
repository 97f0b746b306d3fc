"""/v1/jobs/{id}/translations/{lang}/checks: the automatic checks' findings on
one translation, filtered by check and severity, most serious segments first.

The findings are computed by the worker when it stores the translation
(checks/, jobs/pipeline.py); this view only narrows them (`checks.select`).
"""

from __future__ import annotations

from apiflask import APIBlueprint

from access import TRANSLATE
from checks import CHECKS, select
from service.auth import requires
from service.job_status import finished_language
from service.problems import Problem
from service.schemas import ChecksOut, ChecksQuery
from service.wiring import services

bp = APIBlueprint("checks", __name__, url_prefix="/v1/jobs", tag="Jobs")


@bp.get("/<job_id>/translations/<lang>/checks")
@requires(TRANSLATE)
@bp.input(ChecksQuery, location="query", arg_name="query")
@bp.output(ChecksOut)
@bp.doc(
    summary="The automatic checks on one translation",
    description="Segments flagged by the checks (numbers, currency, names, untranslated, omission, repetition,"
    " marks, identifiers, glossary, headline), each finding with a code, a severity, its range in"
    " the source and the target sentence and a message. `check` (comma-separated) and `severity`"
    " (the least serious to include) filter; segments come most serious first.",
    responses={404: "Unknown job or language", 409: "Not ready yet"},
)
def get_checks(job_id: str, lang: str, query: dict):
    finished_language(job_id, lang)
    report = (services().jobs.result(job_id, lang) or {}).get("checks")
    only = tuple(c for c in (query.get("check") or "").split(",") if c)
    unknown = [c for c in only if c not in CHECKS]
    if unknown:
        raise Problem(
            422,
            "unknown-check",
            "Unknown check",
            f"No check named {', '.join(unknown)}; the checks are {', '.join(CHECKS)}.",
        )
    body = {"job_id": job_id, "lang": lang, "checked": report is not None}
    return {**body, **select(report or {}, only, query.get("severity"))}
