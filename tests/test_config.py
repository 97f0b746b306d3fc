"""Settings (config.py): declared once each, parsed by type, strict about
booleans, and the configuration reference generated from the declarations."""

from __future__ import annotations

from dataclasses import fields

import pytest

import config
from config import Settings
from tests.helpers import ROOT

BOOLEANS = [f for f in fields(Settings) if f.type == "bool"]


def env_of(name: str) -> str:
    return next(f.metadata["env"] for f in fields(Settings) if f.name == name)


def test_every_setting_is_declared_with_a_variable_and_a_meaning():
    declared = fields(Settings)
    variables = [f.metadata.get("env") for f in declared]
    assert all(variables) and len(set(variables)) == len(variables)
    assert all(f.metadata["doc"] for f in declared)
    assert {str(f.type) for f in declared} <= set(config.PARSERS)


def test_unset_and_empty_mean_the_declared_default():
    from_nothing = Settings.from_env({})
    from_empty = Settings.from_env({f.metadata["env"]: " " for f in fields(Settings)})
    assert from_nothing == from_empty
    assert from_nothing.redis_url == Settings.redis_url and from_nothing.engines == ("argos", "bergamot")


@pytest.mark.parametrize("field", BOOLEANS, ids=lambda f: f.metadata["env"])
@pytest.mark.parametrize(
    "raw, value",
    [
        ("off", False),
        ("false", False),
        ("0", False),
        ("No", False),
        ("on", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
    ],
)
def test_booleans_mean_what_they_say(field, raw, value):
    assert getattr(Settings.from_env({field.metadata["env"]: raw}), field.name) is value


def test_preload_off_means_off():
    # It used to be read as "anything but 0/false/no": off meant on.
    assert Settings.from_env({"WORKER_PRELOAD_MODELS": "off"}).preload_models is False


@pytest.mark.parametrize("field", BOOLEANS, ids=lambda f: f.metadata["env"])
def test_an_unknown_boolean_stops_the_process_naming_it(field):
    with pytest.raises(SystemExit, match=rf"configuration error: {field.metadata['env']}='disabled' is not a boolean"):
        Settings.from_env({field.metadata["env"]: "disabled"})


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("MAX_BODY_BYTES", "1MB", "is not an integer"),
        ("DETECT_MIN_SHARE", "half", "is not a number"),
        ("LOG_FORMAT", "xml", "use one of json, text"),
        ("WEBHOOK_SECRET", "change-me", "use at least 32"),
        ("METRICS_TOKEN", "short", "use at least 16"),
    ],
)
def test_a_bad_value_stops_the_process_naming_it(name, raw, message):
    with pytest.raises(SystemExit, match=rf"configuration error: {name}.*{message}"):
        Settings.from_env({name: raw})


def test_each_type_has_its_parser():
    s = Settings.from_env(
        {
            "TRANSLATE_ENGINES": " bergamot , ",
            "TRANSLATE_BEAM_SIZE": "2",
            "DETECT_MIN_SHARE": "0.25",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "TEXT",
            "REDIS_URL": " redis://example:1/2 ",
        }
    )
    assert (s.engines, s.beam_size, s.detect_min_share, s.log_level, s.log_format, s.redis_url) == (
        ("bergamot",),
        2,
        0.25,
        "DEBUG",
        "text",
        "redis://example:1/2",
    )


def test_derived_defaults_follow_the_settings_they_come_from(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    s = Settings.from_env({"MAX_SEGMENT_TOKENS": "100", "WORKER_CONCURRENCY": "2"})
    assert (s.max_decoding_length, s.inter_threads) == (208, 4)
    assert Settings.from_env({"TRANSLATE_MAX_DECODING_LENGTH": "50"}).max_decoding_length == 50


def test_the_detector_loads_on_first_use_in_the_shared_layout_unless_told_otherwise():
    assert Settings.from_env({}).detect_preload is True
    assert Settings.from_env({"WORKER_SERVES_INTERACTIVE": "1"}).detect_preload is False
    assert Settings.from_env({"WORKER_SERVES_INTERACTIVE": "1", "DETECT_PRELOAD": "1"}).detect_preload is True
    assert Settings.from_env({"DETECT_PRELOAD": "0"}).detect_preload is False


def test_the_reference_page_is_generated_from_the_declarations():
    page = (ROOT / config.REFERENCE_PAGE).read_text()
    assert page == config.with_reference(page), "docs/configuration.md is out of date: run `make docs`"
    for f in fields(Settings):
        assert f"| `{f.metadata['env']}` |" in page


def _gunicorn_conf(monkeypatch, **env) -> dict:
    import runpy

    for name in ("API_WORKERS", "API_THREADS", "WORKER_SERVES_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_takes_its_processes_and_threads_from_the_settings(monkeypatch):
    default = _gunicorn_conf(monkeypatch)
    assert (default["workers"], default["threads"]) == (Settings.api_workers, Settings.api_threads) == (2, 8)
    chosen = _gunicorn_conf(monkeypatch, API_WORKERS="3", API_THREADS="4")
    assert (chosen["workers"], chosen["threads"]) == (3, 4)
    with pytest.raises(SystemExit, match="API_WORKERS"):
        _gunicorn_conf(monkeypatch, API_WORKERS="two")


def test_the_shared_layout_runs_one_api_process_with_the_threads_of_two(monkeypatch):
    # The layout chosen for memory: behind the front, the second process is memory its latency gain would cost.
    shared = _gunicorn_conf(monkeypatch, WORKER_SERVES_INTERACTIVE="1")
    assert (shared["workers"], shared["threads"]) == (1, 16)
    assert Settings.from_env({"API_WORKERS": "1"}).api_threads == 16
    assert Settings.from_env({"WORKER_SERVES_INTERACTIVE": "1", "API_WORKERS": "2"}).api_threads == 8
