"""Optimistic concurrency for what editors change (a glossary, a translation's
segments): a write names the version it was made on with `If-Match`, so two
editors cannot overwrite each other's work without seeing it. Without the
header: 428; on a version that is no longer current: 412 with the current one.

`current` is anything with `version` and `etag` (a stored glossary, a draft
of segments); `what` names it for the editor ("Glossary", "Translation")."""

from __future__ import annotations

from typing import Protocol

from flask import request

from service.problems import Problem


class Versioned(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def etag(self) -> str: ...


def expected_version(current: Versioned, what: str) -> int:
    """The version named by If-Match; 428 without one, 412 if it is not current."""
    if not request.if_match or request.if_match.star_tag:
        raise Problem(
            428,
            "precondition-required",
            "If-Match required",
            f"Send If-Match: {current.etag} (the ETag of the {what.lower()} you edited).",
        )
    if not request.if_match.contains(current.etag.strip('"')):
        raise stale_version(current, what)
    return current.version


def stale_version(current: Versioned, what: str) -> Problem:
    return Problem(
        412,
        "stale-version",
        f"{what} changed since you read it",
        f"The {what.lower()} is now at version {current.version} (ETag {current.etag}); "
        "fetch it again, re-apply your change and retry.",
        current_version=current.version,
    )
