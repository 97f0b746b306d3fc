"""/v1/languages: what the configured engines can translate."""

from __future__ import annotations

from apiflask import APIBlueprint

from service.auth import ANY_KEY, requires
from service.schemas import LanguagesOut
from service.wiring import services

bp = APIBlueprint("languages", __name__, url_prefix="/v1/languages", tag="Languages")


@bp.get("")
@requires(ANY_KEY)
@bp.output(LanguagesOut)
@bp.doc(summary="Models of the configured engines and every pair they reach, directly or through the pivot language")
def list_languages():
    catalog = services().catalog
    pairs = [
        {
            "source": src,
            "target": tgt,
            "via": [m.name for m in route],
            "engines": [m.engine for m in route],
            "pivot": len(route) > 1,
        }
        for (src, tgt), route in sorted(catalog.routes().items())
    ]
    return {"installed": [m.describe() for m in catalog.models()], "pairs": pairs}
