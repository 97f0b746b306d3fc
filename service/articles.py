"""/v1/articles/{external_id}/{lang}: the latest published translation of a
CMS article, whichever job (revision) produced it. External ids are per
tenant: each tenant sees, and publishes, only its own articles."""

from __future__ import annotations

from apiflask import APIBlueprint

from access import TRANSLATE
from service.auth import current_key, requires
from service.problems import Problem
from service.representations import respond
from service.schemas import DownloadQuery
from service.wiring import services

bp = APIBlueprint("articles", __name__, url_prefix="/v1/articles", tag="Articles")


@bp.get("/<path:external_id>/<lang>")
@requires(TRANSLATE)
@bp.input(DownloadQuery, location="query", arg_name="query")
@bp.doc(
    summary="Latest published translation of an article, with its revision",
    description="Negotiates like /v1/jobs/{id}/translations/{lang} (JSON, text/html, text/markdown, text/plain).",
    responses={200: "The translation", 304: "Not modified", 404: "Nothing published"},
)
def latest_translation(external_id: str, lang: str, query: dict):
    jobs = services().jobs
    published = jobs.articles.published(external_id, lang, current_key().tenant)
    result = jobs.result(published["job_id"], lang) if published else None
    if result is None:
        raise Problem(
            404,
            "article-not-published",
            "Nothing published",
            f"No translation of article {external_id!r} into {lang!r} has been published.",
        )
    translation = {
        "external_id": external_id,
        "lang": lang,
        "revision": published["revision"],
        "job_id": published["job_id"],
        **result,
    }
    return respond(
        translation, published["published_at"], query["download"], f"{external_id}-{lang}-r{published['revision']}"
    )
