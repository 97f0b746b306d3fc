"""Glossary enforcement on the real stack: the sample article with the seed
glossary into de, fr, es, lt and uk, with the identity and the cipher models."""

from __future__ import annotations

import codecs
import re

import pytest

from tests.helpers import TEST_LANGS, read_article, seed_payload, wait_for_job

# The whole path: real Redis, real Celery worker processes.
pytestmark = pytest.mark.e2e

# The seed glossary's spellings, longest first, and what each becomes per language.
SPELLINGS = {
    "Jens Stoltenberg": "Jens Stoltenberg",
    "Stoltenberg": "Stoltenberg",
    "155-millimeter": "155-millimeter",
    "155 millimeter": "155-millimeter",
    "155mm": "155-millimeter",
    "Vilnius": "Vilnius",
    "NATO": "NATO",
    "Kyiv": "Kyiv",
}


def renderings(lang: str) -> dict[str, str]:
    entries = {e["term"]: e for e in seed_payload()["entries"]}
    return {
        spelling: (spelling if entries[term].get("keep") else entries[term]["translations"][lang])
        for spelling, term in SPELLINGS.items()
    }


def expected_translation(kind: str, text: str, lang: str) -> tuple[str, dict[str, int]]:
    """Written independently of glossary/matching.py: a plain longest-first scan.
    Returns the expected text and how often each canonical term occurs."""
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, SPELLINGS)) + r")(?!\w)")
    rendered = renderings(lang)
    out, counts, cursor = [], {}, 0
    for match in pattern.finditer(text):
        between = text[cursor : match.start()]
        out.append(between if kind == "identity" else codecs.encode(between, "rot13"))
        out.append(rendered[match.group(1)])
        term = SPELLINGS[match.group(1)]
        counts[term] = counts.get(term, 0) + 1
        cursor = match.end()
    tail = text[cursor:]
    out.append(tail if kind == "identity" else codecs.encode(tail, "rot13"))
    return "".join(out), counts


def test_sample_article_with_seed_glossary_in_five_languages(stack, client):
    created = client.post("/v1/glossaries", json=seed_payload())
    assert created.status_code == 201
    glossary = created.get_json()
    article = read_article()
    response = client.post(
        "/v1/jobs",
        json={
            "source_lang": "en",
            "target_langs": list(TEST_LANGS),
            "article": article,
            "glossary_ids": [glossary["id"]],
        },
    )
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]

    # Editing the glossary after submission must not change this job.
    edited = client.patch(
        f"/v1/glossaries/{glossary['id']}", json={"entries": []}, headers={"If-Match": created.headers["ETag"]}
    )
    assert edited.status_code == 200

    status = wait_for_job(client, job_id, timeout=120)
    assert status["state"] == "succeeded", status
    assert status["glossaries"] == [{"id": glossary["id"], "name": "nato-desk", "version": 1}]

    for lang in TEST_LANGS:
        translation = client.get(f"/v1/jobs/{job_id}/translations/{lang}").get_json()
        expected_title, title_counts = expected_translation(stack.kind, article["title"], lang)
        expected_body, body_counts = expected_translation(stack.kind, article["body"], lang)
        assert translation["title"] == expected_title
        assert translation["body"] == expected_body

        counts = {t: title_counts.get(t, 0) + body_counts.get(t, 0) for t in set(title_counts) | set(body_counts)}
        report = translation["glossary"]
        by_term = {t["term"]: t for t in report["terms"]}
        assert {t: by_term[t]["source_occurrences"] for t in by_term} == counts
        assert all(t["rendered_occurrences"] == t["source_occurrences"] and not t["failures"] for t in report["terms"])
        assert report["source_occurrences"] == report["rendered_occurrences"] == sum(counts.values())
        # Neither test model writes a rendering itself, but each writes the same
        # words for a term alone as inside its sentence: those are replaced, and
        # nothing needs a placeholder or a split. (The identity model "writes" a
        # kept term as it stands.)
        methods = {m for t in report["terms"] for m in t["methods"]}
        assert "replace" in methods and methods <= {"model", "replace"}, methods
        # The status sums the report up per language.
        assert status["languages"][lang]["glossary"]["rendered_occurrences"] == sum(counts.values())


def test_inline_glossary_and_terms_in_urls(stack, client):
    article = {
        "title": "Kyiv update",
        "body": "Officials in Kyiv met (Kyiv’s mayor too). See https://example.com/Kyiv or kyiv@example.org.",
        "format": "text",
    }
    response = client.post(
        "/v1/jobs",
        json={
            "source_lang": "en",
            "target_langs": ["de"],
            "article": article,
            "glossary": {"entries": [{"term": "Kyiv", "translations": {"de": "Kyjiw"}}]},
        },
    )
    assert response.status_code == 202, response.get_json()
    status = wait_for_job(client, response.get_json()["id"])
    translation = client.get(f"/v1/jobs/{status['id']}/translations/de").get_json()
    assert translation["body"].count("Kyjiw") == 2  # the URL and the e-mail address are left alone
    assert translation["title"].startswith("Kyjiw ")
    if stack.kind == "identity":
        assert "https://example.com/Kyiv" in translation["body"] and "kyiv@example.org" in translation["body"]
    report = translation["glossary"]["terms"][0]
    assert report["source_occurrences"] == report["rendered_occurrences"] == 3  # title + body


def test_bad_glossary_references_are_rejected(stack, client):
    article = read_article()
    missing = client.post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], "article": article, "glossary_ids": ["nope"]}
    )
    assert missing.status_code == 422 and "nope" in missing.get_json()["detail"]
    bad_inline = client.post(
        "/v1/jobs",
        json={"source_lang": "en", "target_langs": ["de"], "article": article, "glossary": {"entries": [{"term": ""}]}},
    )
    assert bad_inline.status_code == 422
