"""A DOCX and an SRT into Portuguese with the real model (bergamot en→pt) and
the sample glossary, through the whole path: every term rendered, the
structure kept. Properties of real output, never exact strings."""

from __future__ import annotations

import io
import re

import docx
import pytest
import redis
import srt

from devtools import samples
from tests.helpers import DATA, keyed_client, make_settings, wait_for_job

pytestmark = [pytest.mark.e2e, pytest.mark.real_model]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def real_stack(redis_server, tmp_path_factory, start_stack):
    packages = tmp_path_factory.mktemp("packages-files-real")
    settings = make_settings(redis_server, 28, packages, engines=("bergamot",))
    redis.Redis.from_url(settings.redis_url).flushdb()
    running = start_stack(settings, packages, "files-real")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(real_stack, make_app):
    return keyed_client(make_app(settings=real_stack.settings, flush=False))


@pytest.fixture(scope="module")
def glossary_id(client) -> str:
    response = client.post(
        "/v1/glossaries", data=(DATA / "glossary.json").read_bytes(), content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def translate_file(client, name: str, data: bytes, glossary_id: str, accept: str) -> tuple[bytes, dict]:
    response = client.post(
        "/v1/jobs/upload",
        data={"file": (io.BytesIO(data), name), "source_lang": "en", "target_langs": "pt", "glossary_ids": glossary_id},
    )
    assert response.status_code == 202, response.get_json()
    status = wait_for_job(client, response.get_json()["id"], timeout=180)
    assert status["state"] == "succeeded", status
    report = status["languages"]["pt"]["glossary"]
    assert report["source_occurrences"] > 0
    assert report["rendered_occurrences"] == report["source_occurrences"] and report["failed"] == 0, report
    result = client.get(f"/v1/jobs/{status['id']}/translations/pt", headers={"Accept": accept})
    assert result.status_code == 200 and result.mimetype == accept
    return result.data, report


def docx_text(document) -> list[str]:
    return (
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
        + [document.sections[0].header.paragraphs[0].text]
    )


def test_docx_into_portuguese_renders_every_term_and_keeps_the_formatting(client, glossary_id):
    source = docx.Document(io.BytesIO(samples.docx_story()))
    data, _report = translate_file(client, "story.docx", samples.docx_story(), glossary_id, DOCX_TYPE)
    output = docx.Document(io.BytesIO(data))
    before, after = docx_text(source), docx_text(output)
    assert len(after) == len(before) and after != before
    text = "\n".join(after)
    assert "NATO" not in text and text.count("OTAN") == "\n".join(before).count("NATO")
    assert text.count("Vilnius") == "\n".join(before).count("Vilnius")
    # Runs keep their formatting, and the bold run still holds the term it held.
    assert [[(r.bold, r.italic, r.underline) for r in p.runs] for p in output.paragraphs] == [
        [(r.bold, r.italic, r.underline) for r in p.runs] for p in source.paragraphs
    ]
    bold = "".join(r.text for p in output.paragraphs for r in p.runs if r.bold)
    assert "OTAN" in bold
    assert [p.style.name for p in output.paragraphs] == [p.style.name for p in source.paragraphs]


def test_srt_into_portuguese_keeps_cues_and_renders_every_term(client, glossary_id):
    data, _report = translate_file(client, "clip.srt", samples.SRT.encode(), glossary_id, "application/x-subrip")
    source, output = list(srt.parse(samples.SRT)), list(srt.parse(data.decode("utf-8")))
    assert [(c.index, c.start, c.end) for c in output] == [(c.index, c.start, c.end) for c in source]
    joined = " ".join(c.content for c in output)
    assert "OTAN" in joined and "Vilnius" in joined and "NATO" not in joined
    # The sentence over the first three cues: translated, spread over the same three, none empty.
    for before, after in zip(source[:3], output[:3]):
        assert re.sub(r"<[^>]+>", "", after.content).strip() and after.content != before.content
    assert output[2].content.startswith("<i>") and output[2].content.endswith("</i>")
    assert output[3].content.count("\n") == 1 and all(line.startswith("- ") for line in output[3].content.split("\n"))
    assert output[4].content.startswith("{\\an8}")
    for cue in output:
        lines = cue.content.split("\n")
        assert len(lines) <= 2 and all(len(re.sub(r"<[^>]+>|\{[^}]*\}", "", line)) <= 42 for line in lines), lines
