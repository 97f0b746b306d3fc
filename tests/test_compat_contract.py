"""DeepL's and LibreTranslate's clients to the letter: the calls an integrator makes with the
official `deepl` client (deepl.DeepLClient, 1.32.0) and `libretranslatepy`, against the real
stack (Redis, the article and interactive workers, the cipher test models en -> de fr es lt uk).

Each test is one behaviour DeepL documents and its client relies on; where this service
deliberately differs, docs/compatibility.md says so and a test pins the difference.
"""

from __future__ import annotations

import re

import deepl
import httpx
import pytest
import redis
from deepl.api_data import MultilingualGlossaryDictionaryEntries
from libretranslatepy import LibreTranslateAPI

from access import GLOSSARY_READ, GLOSSARY_WRITE, TRANSLATE, KeyStore
from devtools.testmodels import rot13
from tests.helpers import make_settings

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("deepl_no_retries")]

DB = 24
SENTENCE = "The minister said on Tuesday that the talks would continue next week."


@pytest.fixture(scope="module")
def stack(redis_server, model_dirs, start_stack):
    settings = make_settings(redis_server, DB, model_dirs["cipher"])
    redis.Redis.from_url(settings.redis_url).flushdb()
    running = start_stack(settings, model_dirs["cipher"], "contract")
    running.start_interactive_worker()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app(stack, make_app):
    return make_app(settings=stack.settings, flush=False)


def new_key(app) -> str:
    return (
        KeyStore(app.extensions["newsroom"].redis)
        .create("contract", (TRANSLATE, GLOSSARY_READ, GLOSSARY_WRITE), rate_limit="unlimited", char_quota="unlimited")
        .secret
    )


@pytest.fixture(scope="module")
def key(app) -> str:
    return new_key(app)


@pytest.fixture(scope="module")
def client(key, url):
    deepl_client = deepl.DeepLClient(key, server_url=url + "/", send_platform_info=False)
    yield deepl_client
    deepl_client.close()


# -- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["proton beam", "<p>Hello world</p>", "OK"])
def test_a_short_text_without_source_language_is_translated_not_refused(client, text):
    result = client.translate_text(text, target_lang="DE", tag_handling="html" if "<" in text else None)
    assert result.detected_source_lang == "EN"
    assert result.text == rot13(text) if "<" not in text else result.text == "<p>Uryyb jbeyq</p>"


def test_a_confident_language_without_a_route_is_still_refused_naming_it(client):
    with pytest.raises(deepl.DeepLException, match="no installed model translates de into lt"):
        client.translate_text("Der Minister sagte am Dienstag, die Gespräche würden weitergehen.", target_lang="LT")


@pytest.mark.parametrize("model_type", ["quality_optimized", "prefer_quality_optimized", "latency_optimized"])
def test_model_type_is_answered_with_the_model_used(client, model_type):
    result = client.translate_text(SENTENCE, source_lang="EN", target_lang="FR", model_type=model_type)
    assert result.text == rot13(SENTENCE) and result.model_type_used == "latency_optimized"


def test_no_model_type_no_model_type_used(client):
    assert client.translate_text(SENTENCE, source_lang="EN", target_lang="FR").model_type_used is None


# -- v2 glossaries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("source, target", [("EN", "XX"), ("DE", "EN"), ("EN", "EN")])
def test_a_glossary_for_a_pair_without_a_route_is_refused(client, source, target):
    pairs = {(p.source_lang.lower(), p.target_lang.lower()) for p in client.get_glossary_languages()}
    assert (source.lower(), target.lower()) not in pairs
    with pytest.raises(deepl.DeepLException) as raised:
        client.create_glossary("bad pair", source, target, {"term": "Term"})
    assert raised.value.http_status_code == 400


def test_a_ten_thousand_entry_glossary_is_accepted(client):
    entries = {f"term number {i}": f"Begriff {i}" for i in range(10_000)}
    glossary = client.create_glossary("large", "EN", "DE", entries)
    assert glossary.entry_count == 10_000
    assert client.get_glossary_entries(glossary)["term number 9999"] == "Begriff 9999"
    client.delete_glossary(glossary)


# -- v3 multilingual glossaries ---------------------------------------------------------------------


def test_multilingual_glossary_lifecycle(client):
    created = client.create_multilingual_glossary(
        "desk",
        [
            MultilingualGlossaryDictionaryEntries("EN", "DE", {"Vilnius": "Wilna", "NATO": "NATO"}),
            MultilingualGlossaryDictionaryEntries("EN", "FR", {"Vilnius": "Vilnius"}),
        ],
    )
    assert created.name == "desk"
    assert {(d.source_lang, d.target_lang, d.entry_count) for d in created.dictionaries} == {
        ("EN", "DE", 2),
        ("EN", "FR", 1),
    }
    assert created.glossary_id in {g.glossary_id for g in client.list_multilingual_glossaries()}
    assert client.get_multilingual_glossary(created.glossary_id).name == "desk"

    entries = client.get_multilingual_glossary_entries(created, "EN", "DE").dictionaries[0]
    assert dict(line.split("\t") for line in entries.entries.splitlines()) == {"Vilnius": "Wilna", "NATO": "NATO"}

    renamed = client.update_multilingual_glossary_name(created, "desk 2")
    assert renamed.name == "desk 2"
    merged = client.update_multilingual_glossary_dictionary(
        created, MultilingualGlossaryDictionaryEntries("EN", "DE", {"Kyiv": "Kyjiw", "Vilnius": "Vilnius"})
    )
    assert {d.target_lang: d.entry_count for d in merged.dictionaries} == {"DE": 3, "FR": 1}
    replaced = client.replace_multilingual_glossary_dictionary(
        created, MultilingualGlossaryDictionaryEntries("EN", "DE", {"Kyiv": "Kiew"})
    )
    assert (replaced.target_lang, replaced.entry_count) == ("DE", 1)

    # The glossary is used by /v2/translate under the same id.
    text = "Allies met in Kyiv and Vilnius."
    result = client.translate_text(text, source_lang="EN", target_lang="DE", glossary=created.glossary_id)
    assert "Kiew" in result.text and rot13("Vilnius") in result.text

    client.delete_multilingual_glossary_dictionary(created, source_lang="EN", target_lang="DE")
    assert [d.target_lang for d in client.get_multilingual_glossary(created.glossary_id).dictionaries] == ["FR"]
    client.delete_multilingual_glossary(created)
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_multilingual_glossary(created.glossary_id)


def test_a_v3_glossary_shows_in_v1_and_v2(client, key, url):
    created = client.create_multilingual_glossary(
        "shared", [MultilingualGlossaryDictionaryEntries("EN", "ES", {"Brussels": "Bruselas"})]
    )
    ours = httpx.get(
        f"{url}/v1/glossaries/{created.glossary_id}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert ours.status_code == 200 and ours.json()["entries"][0]["translations"] == {"es": "Bruselas"}
    v2 = client.get_glossary(f"{created.glossary_id}.es")
    assert (v2.source_lang, v2.target_lang, v2.entry_count) == ("EN", "ES", 1)
    client.delete_multilingual_glossary(created)


def test_v3_refuses_what_it_cannot_map(client):
    with pytest.raises(deepl.DeepLException, match="share one source language"):
        client.create_multilingual_glossary(
            "two sources",
            [
                MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"}),
                MultilingualGlossaryDictionaryEntries("DE", "EN", {"c": "d"}),
            ],
        )
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_multilingual_glossary("nosuchglossary")


# -- documents --------------------------------------------------------------------------------------


def test_a_document_with_formality_more_is_refused_like_a_text(client, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(SENTENCE, encoding="utf-8")
    with pytest.raises(deepl.DeepLException, match="doesn't support formality"):
        client.translate_document_from_filepath(
            source, tmp_path / "out.txt", source_lang="EN", target_lang="DE", formality="more"
        )


def test_document_status_and_result_take_a_form_encoded_key(client, key, url, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(SENTENCE, encoding="utf-8")
    with source.open("rb") as file:
        handle = client.translate_document_upload(file, source_lang="EN", target_lang="DE", filename="note.txt")
    client.translate_document_wait_until_done(handle)
    headers = {"Authorization": f"DeepL-Auth-Key {key}"}
    status = httpx.post(
        f"{url}/v2/document/{handle.document_id}",
        data={"document_key": handle.document_key},
        headers=headers,
        timeout=10,
    )
    assert status.status_code == 200 and status.json()["status"] == "done", status.text
    result = httpx.post(
        f"{url}/v2/document/{handle.document_id}/result",
        data={"document_key": handle.document_key},
        headers=headers,
        timeout=10,
    )
    assert result.status_code == 200 and result.text == rot13(SENTENCE)


# -- LibreTranslate ---------------------------------------------------------------------------------


def test_libretranslate_auto_on_a_short_text(app, url):
    libre = LibreTranslateAPI(url, api_key=new_key(app))
    assert libre.translate("proton beam", "auto", "de") == rot13("proton beam")
    response = httpx.post(
        f"{url}/translate",
        json={"q": "proton beam", "source": "auto", "target": "de", "api_key": new_key(app)},
        timeout=30,
    )
    body = response.json()
    assert body["detectedLanguage"]["language"] == "en" and 0 < body["detectedLanguage"]["confidence"] <= 100


def test_document_handles_have_deepls_hexadecimal_shape(client, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(SENTENCE, encoding="utf-8")
    with source.open("rb") as file:
        handle = client.translate_document_upload(file, source_lang="EN", target_lang="DE", filename="note.txt")
    assert re.fullmatch(r"[0-9A-F]{32}", handle.document_id), handle.document_id
    assert re.fullmatch(r"[0-9A-F]{64}", handle.document_key), handle.document_key
    assert client.translate_document_wait_until_done(handle).done


def test_a_document_in_its_target_language_is_taken_and_reported_failed(client, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("Der Minister sagte am Dienstag, die Gespräche würden weitergehen.", encoding="utf-8")
    with pytest.raises(deepl.DocumentTranslationException) as raised:
        client.translate_document_from_filepath(source, tmp_path / "out.txt", source_lang="DE", target_lang="DE")
    handle = raised.value.document_handle
    assert handle is not None and re.fullmatch(r"[0-9A-F]{32}", handle.document_id)
    status = client.translate_document_get_status(handle)
    assert status.status == deepl.DocumentStatus.Status.ERROR and "equal" in status.error_message


def test_another_tenant_cannot_read_a_refused_document(app, client, url, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("Der Minister.", encoding="utf-8")
    with source.open("rb") as file:
        handle = client.translate_document_upload(file, source_lang="DE", target_lang="DE", filename="note.txt")
    stranger = deepl.DeepLClient(new_key(app), server_url=url + "/", send_platform_info=False)
    with pytest.raises(deepl.DeepLException) as raised:
        stranger.translate_document_get_status(handle)
    assert raised.value.http_status_code == 404
