"""Which glossary versions a new job uses: pinned at submission, so editing a
glossary later never changes a job's results.

Using a stored glossary (by id) needs the `glossary:read` role: a job shows
the glossary's name, and its translation and glossary report show the
renderings, so using one is reading it. An inline glossary needs nothing
more than the job's own role."""

from __future__ import annotations

import hashlib
import json

from access import GLOSSARY_READ
from glossary.entries import GlossaryError
from glossary.store import NotFound
from service.auth import authorize, current_key
from service.problems import unprocessable
from service.wiring import services


def resolve_glossaries(job: dict) -> list[dict]:
    store = services().glossaries
    used = []
    if job.get("glossary_ids"):
        authorize(current_key(), GLOSSARY_READ)  # 403 missing-role, in the caller's dialect
    for glossary_id in dict.fromkeys(job.get("glossary_ids", [])):
        try:
            glossary = store.get(glossary_id)
        except NotFound:
            raise unprocessable("glossary_ids", f"There is no glossary {glossary_id!r}.")
        if glossary.source_lang != job["source_lang"]:
            raise unprocessable("glossary_ids", f"Glossary {glossary_id!r} is for source language "
                                           f"{glossary.source_lang!r}, not {job['source_lang']!r}.")
        used.append({"id": glossary.id, "name": glossary.name, "version": glossary.version})
    if job.get("glossary"):
        try:
            store.inline(job["glossary"], job["source_lang"])  # validates, stores nothing
        except GlossaryError as error:
            raise unprocessable("glossary", "; ".join(f"{p.get('field') or ''} {p['reason']}".strip() for p in error.problems))
        # An inline glossary's "version" is its content hash: workers cache term
        # matchers by (id, version), and two jobs' inline glossaries must not collide.
        digest = hashlib.sha256(json.dumps(job["glossary"], sort_keys=True).encode()).hexdigest()[:16]
        used.append({"id": "inline", "name": "inline", "version": digest})
    return used
