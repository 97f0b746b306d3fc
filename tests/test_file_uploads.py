"""Files through every entry point, on the real app and a real Redis (no
worker: a finished translation is stored as a worker would store it):
/v1/jobs/upload, DeepL's /v2/document, LibreTranslate's /translate_file,
the console's upload; downloads as the file, with its media type and name;
broken and hostile files refused with a problem document."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import pytest

from devtools import samples
from tests.helpers import assert_problem, keyed_client
from translation.documents import FORMATS, parse

DOCX_TYPE = FORMATS["docx"].media_type


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(27)


@pytest.fixture(scope="module")
def client(app):
    return keyed_client(app)


def upload(client, data: bytes, filename: str, **form):
    fields = {"source_lang": "en", "target_langs": "de", **form}
    return client.post("/v1/jobs/upload", data={"file": (io.BytesIO(data), filename), **fields})


def finish(app, job_id: str, lang: str, body: str, fmt: str) -> None:
    """What a worker does at the end: store the translation."""
    jobs = app.extensions["newsroom"].jobs
    claim = jobs.leases.claim(job_id, lang)
    assert claim.claimed
    assert jobs.leases.succeed(
        job_id, lang, claim.holder, {"title": "", "body": body, "format": fmt, "model": []}, None, {}
    )


def test_a_docx_upload_is_a_job_holding_the_file_and_charged_for_its_text(app):
    client = keyed_client(app, char_quota="10000/day")
    data = samples.docx_story()
    response = upload(client, data, "story.docx", target_langs="de,fr")
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["target_langs"] == ["de", "fr"] and response.headers["Location"].endswith(job["id"])
    stored = app.extensions["newsroom"].jobs.request(job["id"])
    assert stored.article.format == "docx" and base64.b64decode(stored.article.body) == data
    assert stored.document == {"api": "native", "filename": "story.docx"}
    text = sum(len(u.text) for u in parse(stored.article.body, "docx").units)
    assert client.get("/v1/usage").get_json()["characters"]["remaining"] == 10000 - 2 * text


@pytest.mark.parametrize(
    "fmt, name", [("srt", "clip.srt"), ("vtt", "clip.vtt"), ("odt", "story.odt"), ("pptx", "deck.pptx")]
)
def test_every_file_format_is_accepted(client, fmt, name):
    data = {
        "srt": samples.SRT.encode(),
        "vtt": samples.VTT.encode(),
        "odt": samples.odt_story(),
        "pptx": samples.pptx_story(),
    }[fmt]
    response = upload(client, data, name)
    assert response.status_code == 202, response.get_json()


def test_a_finished_docx_is_served_as_the_file_with_its_name(app, client):
    job_id = upload(client, samples.docx_story(), "story.docx").get_json()["id"]
    translated = base64.b64encode(samples.docx_story()).decode()
    finish(app, job_id, "de", translated, "docx")
    as_file = client.get(f"/v1/jobs/{job_id}/translations/de?download=1", headers={"Accept": DOCX_TYPE})
    assert as_file.status_code == 200 and as_file.mimetype == DOCX_TYPE
    assert as_file.data == base64.b64decode(translated)
    assert as_file.headers["Content-Disposition"] == "attachment; filename=story.de.docx"
    as_json = client.get(f"/v1/jobs/{job_id}/translations/de").get_json()
    assert as_json["format"] == "docx" and as_json["body"] == translated
    as_html = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/html"})
    assert "<p>NATO leaders meet in Vilnius</p>" in as_html.get_data(as_text=True)
    assert "<h1></h1>" not in as_html.get_data(as_text=True)
    refused = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/markdown"})
    assert_problem(refused, 406)


def test_a_finished_srt_is_served_as_subtitles(app, client):
    job_id = upload(client, samples.SRT.encode(), "clip.srt").get_json()["id"]
    finish(app, job_id, "de", samples.SRT, "srt")
    response = client.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "application/x-subrip"})
    assert response.mimetype == "application/x-subrip" and response.get_data(as_text=True) == samples.SRT


@pytest.mark.parametrize(
    "data, filename, field, slug",
    [
        (b"hello", "notes.rtf", "file", "unsupported-file-type"),
        (b"PK\x03\x04broken", "story.docx", "article.body", "validation-error"),
        (b"\xff\xfe not utf-8", "clip.srt", "file", "validation-error"),
        (b"1\n00:00:01,000 --> garbage\nHi\n", "clip.srt", "article.body", "validation-error"),
    ],
)
def test_broken_files_are_problem_documents(client, data, filename, field, slug):
    problem = assert_problem(upload(client, data, filename), 422, slug)
    assert problem["errors"][0]["field"] == field


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_and_an_entity_bomb_are_refused(client):
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/zeros.bin": b"\0" * (65 * 1024 * 1024)})
    problem = assert_problem(upload(client, bomb, "bomb.docx"), 422)
    assert "would unpack to" in problem["detail"]
    laughs = _zip({"word/document.xml": b'<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'})
    assert "document type" in assert_problem(upload(client, laughs, "laughs.docx"), 422)["detail"]


def test_upload_fields_are_validated_like_a_job(client):
    problem = assert_problem(upload(client, samples.SRT.encode(), "clip.srt", target_langs="de,not a code"), 422)
    assert problem["errors"][0]["field"].startswith("target_langs")
    assert_problem(client.post("/v1/jobs/upload", data={"target_langs": "de"}), 422)


# -- the compatibility APIs ---------------------------------------------------------------


def test_deepl_document_upload_takes_a_docx_and_refuses_a_broken_one(app, client):
    ok = client.post(
        "/v2/document",
        data={"target_lang": "DE", "source_lang": "EN", "file": (io.BytesIO(samples.docx_story()), "story.docx")},
    )
    assert ok.status_code == 200, ok.get_json()
    document = ok.get_json()
    stored = app.extensions["newsroom"].jobs.request(document["document_id"])
    assert stored.article.format == "docx"
    assert stored.document["characters"] == sum(len(u.text) for u in parse(stored.article.body, "docx").units)
    finish(app, document["document_id"], "de", stored.article.body, "docx")
    result = client.post(
        f"/v2/document/{document['document_id']}/result", json={"document_key": document["document_key"]}
    )
    assert result.mimetype == DOCX_TYPE, result.get_data(as_text=True)
    assert result.data == base64.b64decode(stored.article.body)
    assert 'filename="story.docx"' in result.headers["Content-Disposition"]
    broken = client.post(
        "/v2/document",
        data={"target_lang": "DE", "source_lang": "EN", "file": (io.BytesIO(b"PK\x03\x04no"), "story.docx")},
    )
    assert 400 <= broken.status_code < 500 and "DOCX" in broken.get_json()["message"]


def test_libretranslate_translate_file_takes_a_docx_and_refuses_a_broken_one(client):
    ok = client.post(
        "/translate_file",
        data={"source": "en", "target": "de", "file": (io.BytesIO(samples.docx_story()), "story.docx")},
    )
    assert ok.status_code == 200, ok.get_json()
    assert re.search(r"/download_file/[\w-]+\.story\.docx$", ok.get_json()["translatedFileUrl"])
    broken = client.post(
        "/translate_file", data={"source": "en", "target": "de", "file": (io.BytesIO(b"WEBVTT\n\nno"), "clip.srt")}
    )
    assert 400 <= broken.status_code < 500 and "SRT" in broken.get_json()["error"]
    assert ".docx" in client.get("/frontend/settings").get_json()["supportedFilesFormat"]


# -- the console ----------------------------------------------------------------------------


def _token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_console_takes_a_docx_and_offers_the_translated_file(app, client):
    from access import GLOSSARY_READ, TRANSLATE, KeyStore

    browser = app.test_client()
    key = (
        KeyStore(app.extensions["newsroom"].redis)
        .create("editor", (TRANSLATE, GLOSSARY_READ), rate_limit="unlimited", char_quota="unlimited")
        .secret
    )
    form = browser.get("/console/sign-in")
    assert (
        browser.post("/console/sign-in", data={"csrf_token": _token(form), "key": key, "next": "/console/"}).status_code
        == 302
    )
    page = browser.get("/console/jobs")
    assert "Word (DOCX)" in page.get_data(as_text=True)
    submitted = browser.post(
        "/console/jobs",
        content_type="multipart/form-data",
        data={
            "csrf_token": _token(page),
            "title": "",
            "format": "auto",
            "body": "",
            "source_lang": "en",
            "target_langs": ["de"],
            "file": (io.BytesIO(samples.docx_story()), "story.docx"),
        },
    )
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    job_id = submitted.headers["Location"].rsplit("/", 1)[1]
    source = client.get(f"/v1/jobs/{job_id}/source").get_json()
    assert source["format"] == "docx" and base64.b64decode(source["body"]) == samples.docx_story()
    finish(app, job_id, "de", source["body"], "docx")
    review = browser.get(f"/console/jobs/{job_id}/translations/de").get_data(as_text=True)
    assert "Download the DOCX file" in review and "NATO leaders meet in Vilnius" in review
    download = browser.get(f"/console/jobs/{job_id}/translations/de/file")
    assert download.mimetype == DOCX_TYPE
    assert download.data == base64.b64decode(source["body"])
    assert download.headers["Content-Disposition"] == "attachment; filename=story.de.docx"
    broken = browser.post(
        "/console/jobs",
        content_type="multipart/form-data",
        data={
            "csrf_token": _token(page),
            "title": "",
            "format": "auto",
            "body": "",
            "source_lang": "en",
            "target_langs": ["de"],
            "file": (io.BytesIO(b"PK\x03\x04"), "broken.docx"),
        },
    )
    assert broken.status_code == 422 and "not a DOCX file" in broken.get_data(as_text=True)
