"""The editorial use cases, plain functions over the stores: correct a segment,
approve a language. The API, the console (through the API) and the XLIFF import
call these; what follows them outside the core (a webhook event, publishing a
revision) is handed in as callables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from conventions import iso
from editorial.memory import APPROVED, Entry, TranslationMemory
from editorial.reuse import edited_provenance
from editorial.segments import Draft, Review, render, with_target
from editorial.store import CarriedEdits, Drafts
from jobs import links
from jobs.record import JobRequest

ON_COMPLETION, ON_APPROVAL = "on_completion", "on_approval"


@dataclass(frozen=True)
class Person:
    key: str  # the key's prefix, as the API shows keys
    name: str


@dataclass
class Desk:
    drafts: Drafts
    memory: TranslationMemory
    edits: CarriedEdits
    # (job_id, event) -> None: a webhook event for the job's callback_url, if it has one.
    announce: Callable[[str, dict], None] | None = None
    # (external_id, lang, revision, job_id, tenant) -> bool: publish the article's revision.
    publish: Callable[[str, str, int, str, str], bool] | None = None
    clock: Callable[[], float] = time.time
    fuzzy_threshold: float = 75.0  # MEMORY_FUZZY_THRESHOLD


def edit_segments(
    desk: Desk,
    job_id: str,
    request: JobRequest,
    lang: str,
    changes: list[dict],
    expected_version: int | None,
    editor: Person,
) -> Draft:
    """Change the targets of some segments ({id, target, inline?}); the article is
    re-rendered, the language goes (back) to `edited`. Raises `Stale`, `NoDraft`,
    `NoSuchSegment`."""
    at = round(desk.clock(), 3)
    provenance = edited_provenance(editor.key, editor.name, at)

    def change(draft: Draft) -> tuple[Draft, dict]:
        new = draft
        for item in changes:
            new = with_target(new, item["id"], item["target"], provenance, item.get("inline"))
        new = replace(new, version=draft.version + 1, review=Review.EDITED.value, edited_at=at, approved=None)
        title, body = render(new, request.article.title, request.article.body, request.article.format)
        return new, {"title": title, "body": body}

    draft = desk.drafts.update(job_id, lang, expected_version, change)
    if request.external_id:
        desk.edits.keep(
            request.tenant,
            request.external_id,
            lang,
            [
                {
                    "source": s.source,
                    "target": s.target,
                    "inline": [list(r) for r in s.inline],
                    "inline_in_target": [list(r) if r else None for r in s.inline_in_target],
                    "provenance": s.provenance,
                    "job_id": job_id,
                }
                for s in draft.segments
                if any(s.id == c["id"] for c in changes)
            ],
        )
    if desk.announce and request.callback_url:
        desk.announce(
            job_id,
            _event(
                job_id, request, lang, draft, "edited", segments=[c["id"] for c in changes], editor=provenance["editor"]
            ),
        )
    return draft


def approve(
    desk: Desk, job_id: str, request: JobRequest, lang: str, expected_version: int | None, reviewer: Person
) -> tuple[Draft, bool]:
    """Approve the language as it stands: record who and when, put its segments
    in the tenant's memory, publish the revision if the job waited for approval.
    Returns the draft and whether a revision was published now."""
    at = round(desk.clock(), 3)
    by = {"key": reviewer.key, "name": reviewer.name}

    def change(draft: Draft) -> tuple[Draft, dict]:
        return replace(draft, review=Review.APPROVED.value, approved={"by": by, "at": iso(at)}), {}

    draft = desk.drafts.update(job_id, lang, expected_version, change)
    desk.memory.add(
        request.tenant,
        request.source_lang,
        lang,
        [
            Entry(s.source, s.target, APPROVED, s.inline, s.inline_in_target, by, job_id, at)
            for s in draft.segments
            if s.target.strip()
        ],
    )
    published = False
    target = request.publication()
    if request_publishes_on_approval(request) and target and desk.publish:
        published = desk.publish(target[0], lang, target[1], job_id, target[2])
    if desk.announce and request.callback_url:
        desk.announce(
            job_id, _event(job_id, request, lang, draft, "approved", approved=draft.approved, published=published)
        )
    return draft, published


def request_publishes_on_approval(request: JobRequest) -> bool:
    return request.publish == ON_APPROVAL


def _event(job_id: str, request: JobRequest, lang: str, draft: Draft, kind: str, **extra) -> dict:
    return {
        "id": f"{job_id}.{lang}.{kind}.v{draft.version}",
        "type": f"translation.{kind}",
        "job_id": job_id,
        "external_id": request.external_id,
        "revision": request.revision,
        "lang": lang,
        "version": draft.version,
        "review": draft.review,
        "links": {"job": links.job(job_id), "translation": links.translation(job_id, lang)},
        **extra,
    }
