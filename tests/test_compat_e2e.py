"""The whole path for DeepL's and LibreTranslate's clients, driven by their own
libraries (deepl 1.32.0, libretranslatepy 2.1.4): Redis, the article worker,
the interactive worker (short requests, detection, dynamic batching), the
cipher test models (ROT13, en -> de fr es lt uk) and the real en -> pt model
(bergamot). Assertions are on what the clients parse.

Also: a job without a source language, detected and recorded.
"""

from __future__ import annotations

import re
import urllib.request

import deepl
import httpx
import pytest
import redis
from libretranslatepy import LibreTranslateAPI

from access import GLOSSARY_WRITE, TRANSLATE, KeyStore
from devtools.testmodels import rot13
from tests.helpers import DATA, keyed_client, make_settings, wait_for_job

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("deepl_no_retries")]

SENTENCE = "The minister said on Tuesday that the talks would continue next week."


@pytest.fixture(scope="module")
def stack(redis_server, model_dirs, start_stack):
    settings = make_settings(redis_server, 13, model_dirs["cipher"])
    redis.Redis.from_url(settings.redis_url).flushdb()
    running = start_stack(settings, model_dirs["cipher"], "compat")
    running.start_interactive_worker()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app(stack, make_app):
    return make_app(settings=stack.settings, flush=False)


def new_key(app, **limits) -> str:
    limits = {"rate_limit": "unlimited", "char_quota": "unlimited", **limits}
    return KeyStore(app.extensions["newsroom"].redis).create("compat", (TRANSLATE, GLOSSARY_WRITE), **limits).secret


@pytest.fixture(scope="module")
def translator(app, url):
    client = deepl.Translator(new_key(app), server_url=url + "/", send_platform_info=False)
    yield client
    client.close()


# -- DeepL: translate_text ------------------------------------------------------------------------


def test_translate_text(translator):
    result = translator.translate_text(SENTENCE, source_lang="EN", target_lang="DE")
    assert result.text == rot13(SENTENCE)
    assert (result.detected_source_lang, result.billed_characters) == ("EN", len(SENTENCE))


def test_translate_several_texts_with_the_source_detected(translator):
    texts = [SENTENCE, "Allies agreed to speed up deliveries of shells to Ukraine."]
    results = translator.translate_text(texts, target_lang="LT")
    assert [(r.text, r.detected_source_lang) for r in results] == [(rot13(t), "EN") for t in texts]


def test_a_text_whose_language_has_no_model_is_refused_naming_it(translator):
    with pytest.raises(deepl.DeepLException, match="no installed model translates de into lt"):
        translator.translate_text("Der Minister sagte am Dienstag, die Gespräche würden weitergehen.", target_lang="LT")


def test_translate_with_a_deepl_glossary(translator):
    glossary = translator.create_glossary("summit", "EN", "DE", {"Vilnius": "Wilna", "NATO": "NATO"})
    text = "NATO leaders met in Vilnius on Tuesday."
    result = translator.translate_text(text, source_lang="EN", target_lang="DE", glossary=glossary)
    assert "Wilna" in result.text and "NATO" in result.text
    assert rot13("Vilnius") not in result.text and rot13("NATO") not in result.text
    assert rot13("leaders met in") in result.text  # the rest was translated around the terms
    without = translator.translate_text(text, source_lang="EN", target_lang="DE")
    assert without.text == rot13(text)


def test_translate_html_keeps_the_markup(translator):
    text = '<p>The <b>summit</b> ended with <a href="https://example.org/x">a statement</a>.</p>'
    result = translator.translate_text(text, source_lang="EN", target_lang="FR", tag_handling="html")
    assert result.text == ('<p>Gur <b>fhzzvg</b> raqrq jvgu <a href="https://example.org/x">n fgngrzrag</a>.</p>')


def test_translate_into_portuguese_with_the_real_model(translator):
    result = translator.translate_text(SENTENCE, source_lang="EN", target_lang="PT-BR")
    assert result.text and result.text != SENTENCE
    words = set(re.findall(r"\w+", result.text.lower()))
    assert words & {"o", "que", "as", "na", "de", "ministro", "semana"}, result.text
    assert result.detected_source_lang == "EN"


def test_usage_counts_billed_characters(app, url):
    client = deepl.Translator(new_key(app, char_quota="10000/day"), server_url=url + "/")
    client.translate_text([SENTENCE, "Short one."], source_lang="EN", target_lang="ES")
    usage = client.get_usage()
    assert (usage.character.count, usage.character.limit) == (len(SENTENCE) + len("Short one."), 10000)


# -- DeepL: documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["article.txt", "article.html", "article.md"])
def test_translate_document_from_filepath(translator, tmp_path, name):
    source = DATA / name
    output = tmp_path / f"out-{name}"
    status = translator.translate_document_from_filepath(source, output, source_lang="EN", target_lang="DE")
    assert status.done and status.billed_characters == len(source.read_text(encoding="utf-8"))
    translated = output.read_text(encoding="utf-8")
    original = source.read_text(encoding="utf-8")
    if name.endswith(".txt"):
        assert translated == rot13(original)
    else:  # the markup survives (title attributes are translated too), the text is rotated
        tags = re.compile(r"<(/?[\w!]+)")
        assert tags.findall(translated) == tags.findall(original)
        assert re.findall(r'href="([^"]+)"', translated) == re.findall(r'href="([^"]+)"', original)
        assert rot13("Stoltenberg") in translated
    if name.endswith(".md"):
        assert translated.startswith("# ") and "**" in translated


def test_a_document_without_source_language_is_detected(translator, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(SENTENCE + "\n", encoding="utf-8")
    output = tmp_path / "note-de.txt"
    translator.translate_document_from_filepath(source, output, target_lang="UK")
    assert output.read_text(encoding="utf-8") == rot13(SENTENCE) + "\n"


# -- LibreTranslate ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libre(app, url):
    return LibreTranslateAPI(url, api_key=new_key(app))


def test_libretranslate_translate(libre):
    assert libre.translate(SENTENCE, "en", "es") == rot13(SENTENCE)
    assert libre.translate(SENTENCE, "auto", "es") == rot13(SENTENCE)


def test_libretranslate_detect(libre):
    found = libre.detect("Der Minister sagte am Dienstag, die Gespräche würden nächste Woche weitergehen.")
    assert found[0]["language"] == "de" and found[0]["confidence"] > 90
    assert found == sorted(found, key=lambda c: -c["confidence"])


def test_libretranslate_languages(libre):
    languages = {lang["code"]: lang for lang in libre.languages()}
    assert {"de", "es", "fr", "lt", "uk", "pt"} <= set(languages["en"]["targets"])


def test_libretranslate_batch_and_detected_language_shapes(app, url):
    key = new_key(app)
    response = httpx.post(
        f"{url}/translate",
        json={
            "q": [SENTENCE, "The second text is about the weather."],
            "source": "auto",
            "target": "de",
            "api_key": key,
            "alternatives": 2,
        },
        timeout=30,
    )
    body = response.json()
    assert response.status_code == 200, body
    assert body["translatedText"] == [rot13(SENTENCE), rot13("The second text is about the weather.")]
    assert [d["language"] for d in body["detectedLanguage"]] == ["en", "en"]
    assert 0 < body["detectedLanguage"][0]["confidence"] <= 100 and body["alternatives"] == [[], []]


def test_libretranslate_translate_file(app, url):
    key = new_key(app)
    response = httpx.post(
        f"{url}/translate_file",
        data={"source": "en", "target": "de", "api_key": key},
        files={"file": ("story.md", b"# Allies meet\n\nThe summit ended.\n")},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    file_url = response.json()["translatedFileUrl"]
    assert file_url.startswith(url + "/download_file/") and file_url.endswith(".story.md")
    with urllib.request.urlopen(file_url, timeout=60) as download:  # no key: the URL is the credential
        assert download.read().decode() == "# Nyyvrf zrrg\n\nGur fhzzvg raqrq.\n"


# -- The native API: a job without a source language ---------------------------------------------------


def test_a_job_without_source_language_records_the_detection(app):
    client = keyed_client(app)
    article = {"title": "Allies agree on new shells", "body": SENTENCE, "format": "text"}
    response = client.post("/v1/jobs", json={"target_langs": ["de"], "article": article})
    assert response.status_code == 202, response.get_json()
    status = wait_for_job(client, response.get_json()["id"])
    assert status["state"] == "succeeded" and status["source_lang"] == "en"
    assert status["detected_source"]["language"] == "en" and status["detected_source"]["confidence"] > 0.9
    translation = client.get(f"/v1/jobs/{status['id']}/translations/de").get_json()
    assert translation["body"] == rot13(SENTENCE)


def test_a_job_whose_language_cannot_be_told_is_a_422(app):
    client = keyed_client(app)
    response = client.post(
        "/v1/jobs", json={"source_lang": "auto", "target_langs": ["de"], "article": {"title": "OK", "body": "2024"}}
    )
    body = response.get_json()
    assert response.status_code == 422 and body["type"].endswith("/language-not-detected")
    assert "could not be detected" in body["detail"] and body["errors"][0]["field"] == "source_lang"


# -- Refusals of the interactive worker cost nothing ------------------------------------------------------


def remaining_characters(client) -> int:
    return client.get("/v1/usage").get_json()["characters"]["remaining"]


@pytest.mark.parametrize(
    "path, body, status",
    [
        # A word longer than MAX_SEGMENT_CHARS cannot be split: the worker refuses it (limit-exceeded).
        ("/v2/translate", {"text": ["x" * 1100], "source_lang": "EN", "target_lang": "DE"}, 400),
        (
            "/v2/translate",
            {"text": ["Der Minister sagte am Dienstag, die Gespräche würden weitergehen."], "target_lang": "LT"},
            400,
        ),  # detected as de: no model translates de into lt
        ("/translate", {"q": "x" * 1100, "source": "en", "target": "de"}, 400),
        (
            "/translate",
            {
                "q": "Der Minister sagte am Dienstag, die Gespräche würden weitergehen.",
                "source": "auto",
                "target": "lt",
            },
            400,
        ),
    ],
)
def test_a_request_the_interactive_worker_refuses_costs_nothing(app, path, body, status):
    client = keyed_client(app, (TRANSLATE,), char_quota="100000/day")
    response = client.post(path, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    # The worker's refusals, not the API's: it alone knows segments and routes.
    assert any(reason in response.get_data(as_text=True) for reason in ("MAX_SEGMENT_CHARS", "no installed model")), (
        response.get_data(as_text=True)
    )
    assert remaining_characters(client) == 100000
    control = (
        {"text": [SENTENCE], "target_lang": "ES"}
        if path == "/v2/translate"
        else {"q": SENTENCE, "source": "auto", "target": "es"}
    )
    accepted = client.post(path, json=control)
    assert accepted.status_code == 200, accepted.get_data(as_text=True)  # the control: charged
    assert remaining_characters(client) == 100000 - len(SENTENCE)


@pytest.mark.parametrize("path", ["/v2/translate", "/translate"])
def test_a_request_the_interactive_worker_does_not_answer_in_time_costs_nothing(stack, make_app, path):
    import dataclasses
    import uuid

    # A millisecond is too short for any answer, and a text never seen is not in the segment cache.
    impatient = make_app(settings=dataclasses.replace(stack.settings, interactive_timeout_seconds=0.001), flush=False)
    client = keyed_client(impatient, (TRANSLATE,), char_quota="100000/day")
    text = f"{SENTENCE} {uuid.uuid4().hex}"
    body = (
        {"text": [text], "source_lang": "EN", "target_lang": "DE"}
        if path == "/v2/translate"
        else {"q": text, "source": "en", "target": "de"}
    )
    response = client.post(path, json=body)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert remaining_characters(client) == 100000
