"""Files through the whole path (API, Redis, Celery workers, the identity and
cipher test models): the native upload, DeepL's client's translate_document,
LibreTranslate's /translate_file, and the `newsroom` command line run as a
process against the API on a real port."""

from __future__ import annotations

import codecs
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import deepl
import docx
import httpx
import pytest
import srt

from access import GLOSSARY_READ, GLOSSARY_WRITE, TRANSLATE, KeyStore
from devtools import samples
from tests.helpers import keyed_client, wait_for_job

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("deepl_no_retries")]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def app(stack, make_app):
    return make_app(settings=stack.settings, flush=False)


@pytest.fixture(scope="module")
def client(app):
    return keyed_client(app)


def expected(kind: str, text: str) -> str:
    return text if kind == "identity" else codecs.encode(text, "rot13")


def docx_texts(data: bytes) -> dict:
    document = docx.Document(io.BytesIO(data))
    return {
        "paragraphs": [p.text for p in document.paragraphs],
        "bold": [r.text for p in document.paragraphs for r in p.runs if r.bold],
        "cells": [c.text for t in document.tables for row in t.rows for c in row.cells],
        "header": document.sections[0].header.paragraphs[0].text,
    }


def expected_docx(kind: str) -> dict:
    view = docx_texts(samples.docx_story())
    return {
        name: [expected(kind, v) for v in value] if isinstance(value, list) else expected(kind, value)
        for name, value in view.items()
    }


def new_key(app, roles=(TRANSLATE, GLOSSARY_READ, GLOSSARY_WRITE)) -> str:
    return (
        KeyStore(app.extensions["newsroom"].redis)
        .create("files", roles, rate_limit="unlimited", char_quota="unlimited")
        .secret
    )


# -- the native API -----------------------------------------------------------------------


def test_docx_and_srt_uploads_come_back_as_files(stack, client):
    jobs = {}
    for name, data in (("story.docx", samples.docx_story()), ("clip.srt", samples.SRT.encode())):
        response = client.post(
            "/v1/jobs/upload", data={"file": (io.BytesIO(data), name), "source_lang": "en", "target_langs": "de,fr"}
        )
        assert response.status_code == 202, response.get_json()
        jobs[name] = response.get_json()["id"]
    for job_id in jobs.values():
        assert wait_for_job(client, job_id)["state"] == "succeeded"
    for lang in ("de", "fr"):
        story = client.get(
            f"/v1/jobs/{jobs['story.docx']}/translations/{lang}?download=1", headers={"Accept": DOCX_TYPE}
        )
        assert story.mimetype == DOCX_TYPE
        assert story.headers["Content-Disposition"] == f"attachment; filename=story.{lang}.docx"
        assert docx_texts(story.data) == expected_docx(stack.kind)
        clip = client.get(
            f"/v1/jobs/{jobs['clip.srt']}/translations/{lang}", headers={"Accept": "application/x-subrip"}
        )
        source, output = list(srt.parse(samples.SRT)), list(srt.parse(clip.get_data(as_text=True)))
        assert [(c.index, c.start, c.end) for c in output] == [(c.index, c.start, c.end) for c in source]
        if stack.kind == "identity":
            assert clip.get_data(as_text=True) == samples.SRT
        else:
            assert output[0].content == expected(stack.kind, "NATO leaders met in Vilnius")
            assert output[2].content == "<i>" + expected(stack.kind, "the defence of the Baltic states.") + "</i>"


@pytest.mark.parametrize("name", ["story.odt", "deck.pptx", "clip.vtt"])
def test_odt_pptx_and_vtt_through_the_workers(stack, client, name):
    data = {"story.odt": samples.odt_story, "deck.pptx": samples.pptx_story, "clip.vtt": lambda: samples.VTT.encode()}[
        name
    ]()
    response = client.post(
        "/v1/jobs/upload", data={"file": (io.BytesIO(data), name), "source_lang": "en", "target_langs": "de"}
    )
    assert response.status_code == 202, response.get_json()
    assert wait_for_job(client, response.get_json()["id"])["state"] == "succeeded"
    job_id = response.get_json()["id"]
    if name == "clip.vtt":
        vtt = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/vtt"}).get_data(as_text=True)
        assert vtt.startswith("WEBVTT Kind: captions\n\nSTYLE\n::cue { color: yellow }\n")
        assert "<v Reporter>" + expected(stack.kind, "NATO leaders met in Vilnius") in vtt
        assert expected(stack.kind, "on Tuesday ") + "&amp; " + expected(stack.kind, "Wednesday.") in vtt
    else:
        html = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert f"<p>{expected(stack.kind, 'NATO leaders meet in Vilnius')}</p>" in html
        assert f"<p>{expected(stack.kind, 'Summit host')}</p>" in html


# -- the compatibility APIs ---------------------------------------------------------------


def test_deepl_client_translates_a_docx(stack, app, url, tmp_path):
    translator = deepl.Translator(new_key(app), server_url=url + "/", send_platform_info=False)
    source, output = tmp_path / "story.docx", tmp_path / "story.de.docx"
    source.write_bytes(samples.docx_story())
    status = translator.translate_document_from_filepath(source, output, source_lang="EN", target_lang="DE")
    assert status.done and status.billed_characters > 0
    assert docx_texts(output.read_bytes()) == expected_docx(stack.kind)
    translator.close()


def test_libretranslate_translate_file_with_a_docx(stack, app, url):
    answer = httpx.post(
        f"{url}/translate_file",
        data={"source": "en", "target": "de", "api_key": new_key(app)},
        files={"file": ("story.docx", samples.docx_story())},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    download = httpx.get(answer.json()["translatedFileUrl"], timeout=60)
    assert download.status_code == 200 and download.headers["content-type"] == DOCX_TYPE
    assert docx_texts(download.content) == expected_docx(stack.kind)


# -- the command line ---------------------------------------------------------------------


def newsroom(*args: str, url: str, key: str | None, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update(NEWSROOM_URL=url, NEWSROOM_CONFIG=str(cwd / "absent.toml"), **({"NEWSROOM_KEY": key} if key else {}))
    return subprocess.run(
        [sys.executable, "-m", "newsroom_cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cli_translates_a_folder_with_a_glossary_into_two_languages(stack, app, url, tmp_path):
    key = new_key(app)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.docx").write_bytes(samples.docx_story())
    (folder / "clip.srt").write_text(samples.SRT, encoding="utf-8")
    (folder / "ignored.jpg").write_bytes(b"\xff\xd8")
    terms = tmp_path / "desk.csv"
    terms.write_text("term,de,fr\nVilnius,Wilna,Vilnius\n", encoding="utf-8")
    imported = newsroom(
        "glossary",
        "import",
        str(terms),
        "--glossary",
        "desk-" + stack.kind,
        "--source-lang",
        "en",
        url=url,
        key=key,
        cwd=tmp_path,
    )
    assert imported.returncode == 0, imported.stderr
    assert "1 entries" in imported.stdout
    done = newsroom(
        "translate",
        str(folder),
        "--to",
        "de,fr",
        "--from",
        "en",
        "--glossary",
        "desk-" + stack.kind,
        "-o",
        str(tmp_path / "out"),
        "--interval",
        "0.2",
        url=url,
        key=key,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["clip.de.srt", "clip.fr.srt", "story.de.docx", "story.fr.docx"]
    german = docx_texts((tmp_path / "out" / "story.de.docx").read_bytes())
    assert german["paragraphs"][0] == expected(stack.kind, "NATO leaders meet in ") + "Wilna"
    assert "Wilna" in (tmp_path / "out" / "clip.de.srt").read_text(encoding="utf-8")
    exported = newsroom("glossary", "export", "desk-" + stack.kind, url=url, key=key, cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout.splitlines()[1].startswith("Vilnius,")
    assert "Wilna" in exported.stdout
    job_id = json.loads(newsroom("jobs", "list", "--json", url=url, key=key, cwd=tmp_path).stdout)["items"][0]["id"]
    shown = newsroom("jobs", "show", job_id, url=url, key=key, cwd=tmp_path)
    assert shown.returncode == 0 and "de: succeeded" in shown.stdout
    finished = newsroom("jobs", "cancel", job_id, url=url, key=key, cwd=tmp_path)
    assert finished.returncode == 3 and "409" in finished.stderr  # nothing left to cancel


def test_cli_exit_codes(stack, app, url, tmp_path):
    (tmp_path / "story.docx").write_bytes(samples.docx_story())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    key = new_key(app)
    cases = [
        (("translate", "missing.docx", "--to", "de"), url, key, 2),
        (("translate", "story.docx", "--to", "de", "--glossary", "no-such-glossary"), url, key, 3),
        (("translate", "story.docx", "--to", "xx-not-a-code"), url, key, 3),
        (("jobs", "list"), url, "wrong-key", 4),
        (("jobs", "list"), url, None, 4),
        (("jobs", "list"), f"http://127.0.0.1:{closed_port}", key, 5),
        (("jobs", "show", "no-such-job"), url, key, 3),
    ]
    for args, server, secret, code in cases:
        result = newsroom(*args, url=server, key=secret, cwd=tmp_path)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    for args in ((), ("translate",), ("jobs",), ("jobs", "cancel"), ("glossary", "import")):
        helped = newsroom(*args, "--help", url=url, key=key, cwd=tmp_path)
        assert helped.returncode == 0 and "Exit codes" in helped.stdout, args
