"""The console's front page, and signing in and out with an API key."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from service.console import end_session, start_session
from service.console.api import ApiError, ConsoleApi

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("console/home.html")


def _next_page() -> str:
    """Where to go after signing in: a console page, never another site."""
    target = request.values.get("next", "")
    prefix = url_for("console.home.index")
    if target.startswith(prefix) and not target.startswith("//") and "\\" not in target:
        return target
    return prefix


@bp.get("/sign-in")
def sign_in_form():
    return render_template("console/sign_in.html", next=_next_page(), error=None)


@bp.post("/sign-in")
def sign_in():
    # Named "key", not "api_key": the API reads an `api_key` form field as a credential.
    key = request.form.get("key", "").strip()
    error = None
    if not key:
        error = "Paste your API key."
    else:
        api = ConsoleApi(current_app._get_current_object(), key)  # type: ignore[attr-defined]  # a proxy, typed as Flask
        try:
            usage = api.json("GET", "/v1/usage")
        except ApiError as refused:
            error = f"{refused.title}: {refused.detail}"
        finally:
            api.close()
    if error:
        # The key typed is not sent back: the field comes back empty.
        return render_template("console/sign_in.html", next=_next_page(), error=error), 401
    start_session(usage)
    flash(f"Signed in with {usage['key']['prefix']} ({usage['key']['name']}).", "success")
    return redirect(_next_page())


@bp.post("/sign-out")
def sign_out():
    end_session()
    flash("Signed out.", "success")
    return redirect(url_for(".sign_in_form"))


@bp.get("/<path:unknown>")
def not_found(unknown: str):
    # Without this, an unknown console address would get the API's JSON 404.
    abort(404, "There is no such page in the console.")
