"""The newsroom console: web pages for editors, served by the API's own app
under /console.

Every page reads and writes through the API (`ConsoleApi`), in process, with
the key its editor signed in with: the role decides what a page shows, and
the API decides, as for any client, what a request may do.

Security of the pages themselves:
- the session cookie holds a random id; the key stays in Redis (`sessions`);
  the cookie is HttpOnly, SameSite=Strict and limited to /console, so the
  API's own endpoints never see it and it grants nothing there;
- every form and every state-changing request carries a CSRF token
  (Flask-WTF), checked before any view runs;
- Jinja escapes all text; templates have no inline script or style, so the
  strict Content-Security-Policy below holds on every page.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, g, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from config import Settings
from service.console.api import ApiError, ConsoleApi
from service.console.sessions import ConsoleCookies, ConsoleSessions

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")
csrf = CSRFProtect()

# No inline script or style anywhere, nothing from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

ROLES = ("translate", "glossary:read", "glossary:write", "admin")


class Viewer:
    """Who is looking at a page, and what their key's roles allow."""

    def __init__(self, roles, label: str | None = None):
        self.roles = frozenset(roles)
        self.label = label

    def can(self, role: str) -> bool:
        return "admin" in self.roles or role in self.roles or (
            role == "glossary:read" and "glossary:write" in self.roles)


def sessions() -> ConsoleSessions:
    return current_app.extensions["console_sessions"]


def session_id(create: bool = False) -> str | None:
    """This browser's console session id (a new session if `create`)."""
    sid = session.get("sid")
    if sid and sessions().get(sid) is not None:
        return sid
    if not create:
        return None
    sid = sessions().create({})
    session["sid"] = sid
    return sid


@bp.before_request
def load_viewer():
    if request.method in _UNSAFE_METHODS:
        csrf.protect()
    g.viewer = Viewer(ROLES, None)
    g.api = ConsoleApi(current_app._get_current_object(), None)


@bp.teardown_request
def close_api(_error=None):
    api = g.pop("api", None)
    if api is not None:
        api.close()


@bp.after_request
def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith(f"{bp.url_prefix}/static/"):
        # Pages show a glossary or a job as a key may see it: not for shared caches,
        # and the back button must not resurrect a page from after sign-out.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_context_processor
def console_context():
    return {"viewer": g.get("viewer")}


@bp.app_template_filter("when")
def when(iso_time: str | None) -> str:
    """An API timestamp (2026-11-26T08:15:23.123Z) as people read it: 2026-11-26 08:15:23 UTC."""
    if not iso_time:
        return ""
    return iso_time.replace("T", " ")[:19] + " UTC"


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return render_template("console/error.html", status=error.status, title=error.title, detail=error.detail,
                           errors=error.errors), error.status


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return render_template("console/error.html", status=400, title="Form expired or forged",
                           detail="This form's security token is missing or no longer valid (" + error.description
                           + "). Go back, reload the page and try again."), 400


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return render_template("console/error.html", status=error.code, title=error.name,
                           detail=error.description), error.code


# The pages, one blueprint per area, nested under /console (they share its hooks).
from service.console import glossaries, home, jobs, try_it  # noqa: E402  (they import the helpers above)

for _area in (home, glossaries, jobs, try_it):
    bp.register_blueprint(_area.bp)


def register(app: Flask, settings: Settings, client) -> None:
    app.session_interface = ConsoleCookies(client, bp.url_prefix)
    app.config.update(
        SECRET_KEY=settings.console_secret_key or None,
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_PATH=bp.url_prefix,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # The API itself takes no cookies: only console views check tokens.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # as long as the session: an editor may keep a page open all day
    )
    app.extensions["console_sessions"] = ConsoleSessions(client, settings.console_session_ttl_seconds)
    csrf.init_app(app)
    app.register_blueprint(bp)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("console.") and endpoint != "console.static":
            # Console forms are HTML forms, not JSON (see problems.require_json_body).
            view.accepts_any_body = True
