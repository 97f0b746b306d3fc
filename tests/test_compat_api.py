"""DeepL's and LibreTranslate's own client libraries against the API on a real
port and a real Redis, for what needs no worker: glossaries, languages, usage,
and every error a client sees (status and the client's own exception).

Translation itself (the interactive worker, documents) is in test_compat_e2e.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import deepl
import pytest
from libretranslatepy import LibreTranslateAPI

from access import GLOSSARY_READ, GLOSSARY_WRITE, TRANSLATE, KeyStore
from tests.helpers import keyed_client, make_settings


@pytest.fixture(scope="module")
def app(make_app, redis_server, model_dirs):
    # The cipher models (en -> de fr es lt uk) and the real en <-> pt one. No
    # interactive worker here: a request that needs one gives up after 0.5 s.
    return make_app(settings=make_settings(redis_server, 12, model_dirs["cipher"], interactive_timeout_seconds=0.5))


pytestmark = pytest.mark.usefixtures("deepl_no_retries")


def new_key(app, roles=(TRANSLATE, GLOSSARY_WRITE), **limits) -> str:
    limits = {"rate_limit": "unlimited", "char_quota": "unlimited", **limits}
    return KeyStore(app.extensions["newsroom"].redis).create("compat", roles, **limits).secret


def translator(url: str, key: str) -> deepl.Translator:
    # server_url needs its trailing "/" for a prefix to survive urljoin; harmless without one.
    return deepl.Translator(key, server_url=url + "/", send_platform_info=False)


# -- DeepL: glossaries, in both APIs ------------------------------------------------------


def test_a_glossary_made_through_deepl_is_one_of_ours_and_back(app, url):
    key = new_key(app)
    client = translator(url, key)
    made = client.create_glossary("nato-desk", "EN", "DE", {"Vilnius": "Vilnius", "155-millimeter": "155-Millimeter"})
    assert (made.name, made.source_lang, made.target_lang, made.entry_count, made.ready) == (
        "nato-desk",
        "EN",
        "DE",
        2,
        True,
    )
    assert made.creation_time.tzinfo is not None  # parsed by the client's strict format

    assert made.glossary_id in [g.glossary_id for g in client.list_glossaries()]
    assert client.get_glossary(made.glossary_id).name == "nato-desk"
    assert client.get_glossary_entries(made) == {"Vilnius": "Vilnius", "155-millimeter": "155-Millimeter"}

    # The same glossary through the native API: version 1, made by this key.
    ours = made.glossary_id.split(".")[0]
    native = keyed_client(app)
    glossary = native.get(f"/v1/glossaries/{ours}")
    assert glossary.status_code == 200
    body = glossary.get_json()
    assert body["version"] == 1 and body["source_lang"] == "en"
    assert {e["term"]: e["translations"] for e in body["entries"]} == {
        "Vilnius": {"de": "Vilnius"},
        "155-millimeter": {"de": "155-Millimeter"},
    }
    versions = native.get(f"/v1/glossaries/{ours}/versions").get_json()["items"]
    assert versions[0]["author"]["key"] == key[: len(versions[0]["author"]["key"])]

    # A native edit adds French: DeepL's clients now see a second glossary (its French pair).
    entries = [
        {"term": e["term"], "translations": {**e["translations"], "fr": e["term"] + " (fr)"}} for e in body["entries"]
    ]
    patched = native.patch(
        f"/v1/glossaries/{ours}", json={"entries": entries}, headers={"If-Match": glossary.headers["ETag"]}
    )
    assert patched.status_code == 200, patched.get_json()
    pairs = {(g.glossary_id, g.target_lang) for g in client.list_glossaries() if g.glossary_id.startswith(ours)}
    assert pairs == {(f"{ours}.de", "DE"), (f"{ours}.fr", "FR")}
    assert client.get_glossary_entries(f"{ours}.fr") == {
        "Vilnius": "Vilnius (fr)",
        "155-millimeter": "155-millimeter (fr)",
    }

    # Deleting the German pair is a new version without German; deleting the last pair deletes the glossary.
    client.delete_glossary(made)
    after = native.get(f"/v1/glossaries/{ours}").get_json()
    assert after["version"] == 3 and all(set(e["translations"]) == {"fr"} for e in after["entries"])
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_glossary(made.glossary_id)
    client.delete_glossary(f"{ours}.fr")
    assert native.get(f"/v1/glossaries/{ours}").status_code == 404


def test_a_native_glossary_appears_to_deepl_per_target_language(app, url):
    native = keyed_client(app)
    created = native.post(
        "/v1/glossaries",
        json={
            "name": "desk",
            "source_lang": "en",
            "entries": [
                {"term": "Kyiv", "translations": {"de": "Kyjiw", "lt": "Kyjivas"}},
                {"term": "Jens Stoltenberg", "keep": True},
            ],
        },
    ).get_json()
    client = translator(url, new_key(app))
    lithuanian = client.get_glossary(f"{created['id']}.lt")
    assert (lithuanian.source_lang, lithuanian.target_lang, lithuanian.entry_count) == ("EN", "LT", 2)
    # A kept term is written as itself, as our TSV export does.
    assert client.get_glossary_entries(lithuanian) == {"Kyiv": "Kyjivas", "Jens Stoltenberg": "Jens Stoltenberg"}


def test_glossary_from_deepl_csv_skips_other_pairs(app, url):
    client = translator(url, new_key(app))
    csv = "NATO,NATO\nKyiv,Kyjiw,en,de\nKyiv,Kyjivas,en,lt\n"
    made = client.create_glossary_from_csv("csv-desk", "EN", "DE", csv)
    assert client.get_glossary_entries(made) == {"NATO": "NATO", "Kyiv": "Kyjiw"}


def test_glossary_errors_are_deepl_exceptions(app, url):
    client = translator(url, new_key(app))
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_glossary("doesnotexist.de")
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.delete_glossary("doesnotexist.de")
    with pytest.raises(deepl.DeepLException, match="Invalid glossary entries"):
        client.create_glossary_from_csv("bad", "EN", "DE", "one,two,three\n")
    reader = translator(url, new_key(app, roles=(GLOSSARY_READ,)))
    with pytest.raises(deepl.AuthorizationException, match="glossary:write"):
        reader.create_glossary("nope", "EN", "DE", {"a": "b"})


# -- DeepL: languages, usage, errors --------------------------------------------------------


def test_languages_are_the_installed_routes_in_deepl_codes(app, url):
    client = translator(url, new_key(app))
    assert ("EN", "English") in [(lang.code, lang.name) for lang in client.get_source_languages()]
    targets = {lang.code: lang for lang in client.get_target_languages()}
    # The cipher models: en -> de, fr, es, lt, uk; DeepL lists Spanish twice (ES, ES-419) and never a bare EN/PT.
    assert {"DE", "FR", "ES", "ES-419", "LT", "UK"} <= set(targets) and not {"EN", "PT"} & set(targets)
    assert targets["DE"].name == "German" and targets["DE"].supports_formality is False
    pairs = {(p.source_lang, p.target_lang) for p in client.get_glossary_languages()}
    assert ("en", "de") in pairs and ("en", "lt") in pairs  # lower case, as DeepL writes them here


def test_usage_is_the_keys_character_quota(app, url):
    usage = translator(url, new_key(app, char_quota="5000/day")).get_usage()
    assert (usage.character.count, usage.character.limit, usage.any_limit_reached) == (0, 5000, False)


def test_keys_and_quotas_fail_the_way_deepl_clients_expect(app, url):
    with pytest.raises(deepl.AuthorizationException):
        translator(url, "nt_live_notakey_0000000000000000").translate_text("Hello", target_lang="DE")
    with pytest.raises(deepl.AuthorizationException, match="translate"):
        translator(url, new_key(app, roles=(GLOSSARY_READ,))).translate_text("Hello", target_lang="DE")
    with pytest.raises(deepl.QuotaExceededException):
        translator(url, new_key(app, char_quota="10/day")).translate_text("More than ten characters.", target_lang="DE")
    limited = translator(url, new_key(app, rate_limit="1/minute"))
    limited.get_usage()
    with pytest.raises(deepl.TooManyRequestsException):
        limited.get_usage()


def test_bad_parameters_are_400_with_a_message(app, url):
    client = translator(url, new_key(app))
    with pytest.raises(deepl.DeepLException, match=r"Bad request.*target_lang.*'PL'"):
        client.translate_text("Hello", target_lang="PL")  # no model translates into Polish
    with pytest.raises(deepl.DeepLException, match="formality"):
        client.translate_text("Hello", target_lang="DE", formality="more")
    with pytest.raises(deepl.DeepLException, match="not supported: style rules"):
        client.translate_text("Hello", target_lang="DE", extra_body_parameters={"style_id": "house"})
    with pytest.raises(deepl.DeepLException, match="Invalid file data"):
        client.translate_document_upload(b"%PDF-1.4", target_lang="DE", filename="story.pdf")
    with pytest.raises(deepl.DeepLException, match="Conversion between different document types"):
        client.translate_document_upload(b"Hello", target_lang="DE", filename="story.txt", output_format="html")


def test_lone_surrogates_are_400_before_any_work(app, url):
    """JSON's "\\ud800" is no Unicode text: refused at once, before the
    interactive worker or the glossary store would fail on it."""
    client = translator(url, new_key(app))
    with pytest.raises(deepl.DeepLException, match=r"text\[0\] has a lone surrogate \(U\+D800\) at position 7"):
        client.translate_text("Vilnius\ud800", source_lang="EN", target_lang="DE")
    with pytest.raises(deepl.DeepLException, match="lone surrogate"):
        client.create_glossary("desk", "EN", "DE", {"Vilnius\udc00": "Vilnius"})


def test_no_interactive_worker_is_a_503_not_a_hang(app, url):
    with pytest.raises(deepl.DeepLException, match="Service unavailable"):
        translator(url, new_key(app)).translate_text("Hello world.", source_lang="EN", target_lang="DE")


def test_form_bodies_are_read_like_json(app, url):
    """curl users and older clients post forms with repeated text=."""
    request = urllib.request.Request(
        f"{url}/v2/translate",
        data=b"text=Hello&text=World&target_lang=ZZ",
        headers={"Authorization": f"DeepL-Auth-Key {new_key(app)}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400
    assert "'ZZ'" in json.loads(refused.value.read())["message"]


# -- LibreTranslate -------------------------------------------------------------------------------


def test_libretranslate_languages_and_settings_are_open(app, url):
    languages = LibreTranslateAPI(url).languages()
    english = next(lang for lang in languages if lang["code"] == "en")
    assert english["name"] == "English" and {"de", "es", "fr", "lt", "uk"} <= set(english["targets"])
    with urllib.request.urlopen(f"{url}/frontend/settings") as response:
        settings = json.loads(response.read())
    assert settings["keyRequired"] is True and settings["filesTranslation"] is True
    assert ".md" in settings["supportedFilesFormat"] and settings["language"]["source"]["code"] == "auto"


@pytest.mark.parametrize(
    "key, status, message",
    [
        (None, 400, "Please contact the server operator to get an API key"),
        ("nt_live_notakey_0000000000000000", 403, "Invalid API key"),
    ],
)
def test_libretranslate_key_errors(app, url, key, status, message):
    with pytest.raises(urllib.error.HTTPError) as refused:
        LibreTranslateAPI(url, api_key=key).translate("Hello", "en", "de")
    assert refused.value.code == status
    assert json.loads(refused.value.read()) == {"error": message}


@pytest.mark.parametrize(
    "source, target, message",
    [
        ("en", "zz", "zz is not supported"),
        ("de", "en", "English (en) is not available as a target language from German (de)"),
    ],
)
def test_libretranslate_unsupported_languages(app, url, source, target, message):
    with pytest.raises(urllib.error.HTTPError) as refused:
        LibreTranslateAPI(url, api_key=new_key(app)).translate("Hallo", source, target)
    assert refused.value.code == 400
    assert json.loads(refused.value.read()) == {"error": message}


def test_libretranslate_lone_surrogate_is_400(app, url):
    # libretranslatepy posts a form, and urlencode cannot encode a lone
    # surrogate: a JSON client (an editor plugin) can send one, so this does.
    request = urllib.request.Request(
        f"{url}/translate",
        data=json.dumps({"q": ["ok", "a\ud800"], "source": "en", "target": "de", "api_key": new_key(app)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400
    assert json.loads(refused.value.read()) == {
        "error": "Invalid request: q[1] has a lone surrogate (U+D800) at position 1; text must be valid Unicode"
    }


def test_libretranslate_text_limit(app, url):
    with pytest.raises(urllib.error.HTTPError) as refused:
        LibreTranslateAPI(url, api_key=new_key(app)).translate("x" * 6000, "en", "de")
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"] == "Invalid request: request (6000) exceeds text limit (5000)"
