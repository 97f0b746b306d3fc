"""The `newsroom` command line in-process, against a scripted HTTP server
(httpx.MockTransport): where its URL and key come from, and what it does when
a translation fails. The real stack: tests/test_files_e2e.py."""

from __future__ import annotations

import base64

import httpx
import pytest
from click.testing import CliRunner

from newsroom_cli import config as cli_config
from newsroom_cli import main as cli
from newsroom_cli.client import Api


@pytest.fixture
def home(tmp_path, monkeypatch):
    for name in ("NEWSROOM_URL", "NEWSROOM_KEY", "NEWSROOM_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_flags_win_over_the_environment_which_wins_over_the_file(home, monkeypatch):
    file = home / "config" / "newsroom" / "config.toml"
    file.parent.mkdir(parents=True)
    file.write_text('url = "http://file.example"\nkey = "from-file"\n')
    assert cli_config.load_config() == cli_config.Config("http://file.example", "from-file", str(file))
    monkeypatch.setenv("NEWSROOM_URL", "http://env.example/")
    monkeypatch.setenv("NEWSROOM_KEY", "from-env")
    assert cli_config.load_config() == cli_config.Config("http://env.example", "from-env", "NEWSROOM_URL")
    assert cli_config.load_config("http://flag.example", "from-flag") == cli_config.Config(
        "http://flag.example", "from-flag", "--url"
    )


def test_an_unreadable_config_file_is_a_usage_error(home, monkeypatch):
    bad = home / "bad.toml"
    bad.write_text("url = [not toml")
    monkeypatch.setenv("NEWSROOM_CONFIG", str(bad))
    result = CliRunner().invoke(cli.main, ["jobs", "list"])
    assert result.exit_code == 2 and "bad.toml" in result.output


class FakeService:
    """Two jobs' worth of API: de succeeds, fr fails; records what was asked."""

    def __init__(self):
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.headers.get("Authorization") != "Bearer secret":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401, "detail": "No key."})
        if path == "/v1/jobs/upload":
            return httpx.Response(202, json=self.status("queued"))
        if path == "/v1/jobs/j1":
            return httpx.Response(200, json=self.status("partially_failed"))
        if path == "/v1/jobs/j1/translations/de":
            return httpx.Response(200, json={"format": "docx", "body": base64.b64encode(b"PK-de").decode()})
        return httpx.Response(404, json={"title": "Not found", "status": 404, "detail": path})

    @staticmethod
    def status(state: str) -> dict:
        finished = state != "queued"
        return {
            "id": "j1",
            "state": state,
            "languages": {
                "de": {"state": "succeeded" if finished else "queued", "progress": {"done": 3, "total": 3}},
                "fr": {
                    "state": "failed" if finished else "queued",
                    "progress": {"done": 0, "total": 3},
                    "error": "model crashed",
                },
            },
        }


def test_a_failed_language_exits_1_after_writing_the_others(home, monkeypatch):
    service = FakeService()
    monkeypatch.setattr(
        cli, "Api", lambda url, key, timeout: Api(url, key, timeout, transport=httpx.MockTransport(service))
    )
    (home / "story.docx").write_bytes(b"PK-en")
    result = CliRunner().invoke(
        cli.main,
        [
            "--url",
            "http://svc",
            "--key",
            "secret",
            "translate",
            str(home / "story.docx"),
            "--to",
            "de,fr",
            "-o",
            str(home / "out"),
            "--interval",
            "0",
            "-q",
        ],
    )
    assert result.exit_code == 1, result.output
    assert (home / "out" / "story.de.docx").read_bytes() == b"PK-de"
    assert not (home / "out" / "story.fr.docx").exists()
    assert "fr: failed (model crashed)" in result.output
    upload = service.requests[0]
    assert upload.url.path == "/v1/jobs/upload" and b'name="target_langs"\r\n\r\nde,fr' in upload.read()


def test_no_key_exits_4_with_the_problem_and_no_traceback(home, monkeypatch):
    monkeypatch.setattr(
        cli, "Api", lambda url, key, timeout: Api(url, key, timeout, transport=httpx.MockTransport(FakeService()))
    )
    result = CliRunner().invoke(cli.main, ["--url", "http://svc", "jobs", "show", "j1"])
    assert result.exit_code == 4 and "401 Unauthorized: No key." in result.output
    assert isinstance(result.exception, SystemExit)  # an exit code, not an exception
