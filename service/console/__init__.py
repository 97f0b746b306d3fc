"""The newsroom console: web pages for editors, served by the API's own app
under /console.

An editor signs in with an API key. Every page then reads and writes through
the API (`ConsoleApi`), in process, with that key: the key's roles decide
what a page shows, and the API decides, as for any client, what a request may
do, so a hidden button is never the only thing between a reader and a write.

Security of the pages themselves:
- the key is checked at sign-in and then forgotten: the session, in Redis
  (`ConsoleSessions`), holds the key's id, prefix and roles, and pages call the
  API as that key id (`ConsoleApi`), checked on every request, so revoking
  the key ends its sessions at their next request and a Redis dump holds no
  credential; the session cookie holds a random id (Redis has only its hash),
  is HttpOnly, SameSite=Strict, limited to /console and Secure over HTTPS,
  and the API's endpoints ignore it (they take keys, not cookies); no page
  ever shows the key again;
- every form and every state-changing request carries a CSRF token
  (Flask-WTF), checked before any view runs;
- Jinja escapes all text; templates have no inline script or style, so the
  strict Content-Security-Policy below holds on every page.
"""

from __future__ import annotations

from pathlib import Path

from apiflask import APIBlueprint
from flask import (
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from access import ADMIN, effective_roles
from config import Settings
from service.auth import access
from service.console.api import ApiError, ConsoleApi
from service.console.sessions import ConsoleCookies, ConsoleSessions

# An APIBlueprint only to say "not part of the API": APIFlask leaves it out of
# the OpenAPI document (and cannot build that document around a plain
# Blueprint with request hooks).
bp = APIBlueprint("console", __name__, url_prefix="/console", template_folder="templates", enable_openapi=False)
STATIC = Path(__file__).resolve().parent / "static"
csrf = CSRFProtect()

# No inline script or style anywhere, nothing from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Pages reachable without signing in.
_OPEN = {"console.static", "console.home.sign_in", "console.home.sign_in_form"}


@bp.get("/static/<path:filename>")
def static(filename: str):
    """The console's stylesheet, script and icon (a view of its own, so that it can be declared public)."""
    return send_from_directory(STATIC, filename, max_age=3600)


class Viewer:
    """Who is looking at a page: their key's prefix and name (never the key), and its roles."""

    def __init__(self, roles, prefix: str, name: str = "", tenant: str = ""):
        self.roles = effective_roles(roles)
        self.prefix = prefix
        self.name = name
        self.tenant = tenant

    def can(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_names(self) -> list[str]:
        return sorted(self.roles) if ADMIN not in self.roles else [ADMIN]


def sessions() -> ConsoleSessions:
    return current_app.extensions["console_sessions"]


def start_session(usage: dict) -> None:
    """Sign in: a new session (a new id and a new CSRF token) naming the key (never holding it)."""
    session.clear()
    described = usage["key"]
    session["sid"] = sessions().create(
        {
            "key_id": described["id"],
            "prefix": described["prefix"],
            "name": described["name"],
            "tenant": described["tenant"],
            "roles": described["roles"],
        }
    )


def end_session() -> None:
    sid = session.get("sid")
    if sid:
        sessions().delete(sid)
    session.clear()


@bp.before_request
def load_viewer():
    if request.method in _UNSAFE_METHODS:
        csrf.protect()
    app = current_app._get_current_object()
    if access().disabled:
        # AUTH_DISABLED: the API acts as an admin for everyone; so does the console.
        g.viewer = Viewer((ADMIN,), "auth disabled")
        g.api = ConsoleApi(app, None)
        return None
    record = sessions().get(session.get("sid"))
    if record is not None and "key_id" not in record:
        sessions().delete(session["sid"])  # made before sessions stopped holding the key: sign in again
        record = None
    if record is None:
        if request.endpoint in _OPEN:
            return None
        if request.method == "GET" and not request.path.endswith("/progress"):
            return redirect(url_for("console.home.sign_in_form", next=request.full_path.rstrip("?")))
        return render_template(
            "console/error.html",
            status=401,
            title="Signed out",
            detail="Your console session has ended; sign in again.",
        ), 401
    g.viewer = Viewer(record["roles"], record["prefix"], record.get("name", ""), record.get("tenant", ""))
    g.api = ConsoleApi(app, key_id=record["key_id"])
    return None


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
        # Pages show a glossary or a job as one key may see it: not for shared
        # caches, and the back button must not bring a page back after sign-out.
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


@bp.app_template_filter("author")
def author(signed: dict | None) -> str:
    """A version's author ({key, name}) as a person reads it."""
    if not signed:
        return "unknown"
    return f"{signed.get('name')} ({signed.get('key')})" if signed.get("name") else str(signed.get("key"))


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    if error.status == 401:
        # The key was revoked (or rotated) since sign-in: this session is over.
        end_session()
    return render_template(
        "console/error.html",
        status=error.status,
        title=error.title,
        detail=error.detail,
        errors=error.errors,
        problem=error.problem,
    ), error.status


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return render_template(
        "console/error.html",
        status=400,
        title="Form expired or forged",
        detail="This form's security token is missing or no longer valid ("
        + error.description
        + "). Go back, reload the page and try again.",
    ), 400


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return render_template(
        "console/error.html", status=error.code, title=error.name, detail=error.description
    ), error.code


# The pages, one blueprint per area, nested under /console (they share its hooks).
from service.console import editor, glossaries, home, jobs, try_it  # noqa: E402  (they import the helpers above)

for _area in (home, glossaries, jobs, try_it, editor):
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
        if endpoint.startswith("console."):
            # Console pages take HTML forms, not JSON (see problems.require_json_body), and
            # are open at the API-key layer (service.auth): they check the console session
            # themselves and call the API with the session's key, where the roles apply.
            view.accepts_any_body = True
            view.public = True
