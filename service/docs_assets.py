"""Swagger UI's files, served by the service itself from the installed
`swagger-ui-bundle-v2` package: /docs works on a machine with no Internet,
and no page we serve makes a browser contact another host. (Swagger UI 5,
which reads the OpenAPI 3.1 document APIFlask writes; the older
`swagger-ui-bundle` ships Swagger UI 4, which shows "Unable to render".)"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import send_from_directory
from swagger_ui_bundle import swagger_ui_path

from service.auth import public
from service.problems import Problem

bp = APIBlueprint("docs_assets", __name__, enable_openapi=False)

ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")

# APIFlask puts these into its /docs page as they are. They are relative to
# /docs (so "docs/assets/…" resolves to /docs/assets/…), which keeps them right
# when the API is mounted under a path prefix behind a proxy.
CONFIG = {
    "SWAGGER_UI_CSS": "docs/assets/swagger-ui.css",
    "SWAGGER_UI_BUNDLE_JS": "docs/assets/swagger-ui-bundle.js",
    "SWAGGER_UI_STANDALONE_PRESET_JS": "docs/assets/swagger-ui-standalone-preset.js",
    "DOCS_FAVICON": "docs/assets/favicon-32x32.png",
    # Swagger UI would otherwise send the spec to validator.swagger.io for a badge.
    "SWAGGER_UI_CONFIG": {"validatorUrl": None},
    # A relative server: by default APIFlask writes the host of the first
    # request into the (cached) spec, an internal name behind a proxy.
    "SERVERS": [{"url": "/", "description": "This server"}],
}


@bp.get("/docs/assets/<name>")
@public
def asset(name: str):
    if name not in ASSETS:
        raise Problem(404, "not-found", "Not found", f"There is no documentation asset {name!r}.")
    return send_from_directory(str(swagger_ui_path), name, max_age=24 * 3600)
