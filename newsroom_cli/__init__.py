"""`newsroom`: the service's command line, for a journalist's laptop.

It speaks HTTP only (httpx), to the URL and with the key it is given
(`--url`/`--key`, NEWSROOM_URL/NEWSROOM_KEY, or a config file): translate
files and folders, follow and cancel jobs, import and export glossaries.
See docs/cli.md.
"""

from newsroom_cli.client import Api, ApiError, Unreachable
from newsroom_cli.config import Config, load_config

__all__ = ["Api", "ApiError", "Config", "Unreachable", "load_config"]
