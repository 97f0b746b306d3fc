"""The console's front page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("console/home.html")


@bp.get("/<path:unknown>")
def not_found(unknown: str):
    # Without this, an unknown console address would get the API's JSON 404.
    abort(404, "There is no such page in the console.")
