"""Where the CLI finds its server and key: options, then the environment
(NEWSROOM_URL, NEWSROOM_KEY), then a TOML file (NEWSROOM_CONFIG, else
~/.config/newsroom/config.toml) with `url = "…"` and `key = "…"`."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8080"


class ConfigError(Exception):
    """A config file that cannot be read."""


@dataclass(frozen=True)
class Config:
    url: str
    key: str | None
    source: str  # where the URL came from, for messages


def config_path() -> Path:
    named = os.environ.get("NEWSROOM_CONFIG")
    if named:
        return Path(named)
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return home / "newsroom" / "config.toml"


def _file_settings(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}")
    unknown = set(data) - {"url", "key"}
    if unknown or not all(isinstance(data.get(name, ""), str) for name in ("url", "key")):
        raise ConfigError(f'{path}: expected only url = "…" and key = "…"')
    return data


def load_config(url: str | None = None, key: str | None = None) -> Config:
    path = config_path()
    from_file = _file_settings(path)
    for value, source in (
        (url, "--url"),
        (os.environ.get("NEWSROOM_URL"), "NEWSROOM_URL"),
        (from_file.get("url"), str(path)),
        (DEFAULT_URL, "the default"),
    ):
        if value:
            chosen_url, url_source = value.rstrip("/"), source
            break
    chosen_key = key or os.environ.get("NEWSROOM_KEY") or from_file.get("key") or None
    return Config(chosen_url, chosen_key, url_source)
