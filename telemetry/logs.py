"""Structured logs: one JSON object per line, with the context of what the
process is doing right now added to every line.

The context is a contextvar: the API binds the request id for the length of
a request, a worker binds job id, language, engine and the request id that
submitted the job for the length of a task. `elapsed_s` on a task's lines is
the time since the task started, so its last line carries its duration.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# Never changed in place (bind and start set a new mapping): the default is
# shared by every context, so it is read-only.
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "log_context", default=MappingProxyType({})
)

# A request id from a client or a proxy is accepted if it looks like an id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def bind(**fields: Any) -> contextvars.Token[Mapping[str, Any]]:
    """Add fields to every log line of the current request or task."""
    return _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def start(**fields: Any) -> contextvars.Token[Mapping[str, Any]]:
    """A fresh context (a new request or task), its clock started."""
    return _context.set({**{k: v for k, v in fields.items() if v is not None}, "_started": time.monotonic()})


def reset(token: contextvars.Token[Mapping[str, Any]]) -> None:
    _context.reset(token)


def current(name: str) -> Any:
    return _context.get().get(name)


def request_id(candidate: str | None) -> str:
    """The client's X-Request-ID if it is a plausible id, else a new one."""
    if candidate and _REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


# Credentials that travel in URLs, and so into log lines that quote one: a
# LibreTranslate download URL (the job id is the credential), user:password@ in a
# webhook URL, query strings (tokens, api_key=). httpx logs every request it
# sends with its URL, and webhook deliveries go through httpx.
_SECRETS_IN_URLS = (
    (re.compile(r"(/download_file/)[^\s\"'?#]+"), r"\1<redacted>"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s\"'@]*@", re.I), r"\1<redacted>@"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s\"'?#]*)\?[^\s\"'#]*", re.I), r"\1?<redacted>"),
    (re.compile(r"(\bapi_key=)[^&\s\"']+"), r"\1<redacted>"),
)


def redact(text: str) -> str:
    """`text` with the credentials URLs can carry replaced by <redacted>."""
    for pattern, replacement in _SECRETS_IN_URLS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Every line's message through `redact`, whoever logged it (our code, httpx,
    Celery, gunicorn): a log file is read by more people than the API's keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for key, value in context.items():
            if key == "_started":
                record.elapsed_s = round(time.monotonic() - value, 3)
            elif not hasattr(record, key):
                setattr(record, key, value)
        return True


def formatter(fmt: str = "json") -> logging.Formatter:
    if fmt == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def private_file(filename: str) -> str:
    """Make sure the log file exists and only its owner and group may read it (640):
    logs name jobs, tenants and URLs. A file left world-readable is closed too."""
    os.close(os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640))
    mode = os.stat(filename).st_mode & 0o777
    if mode & 0o007:
        os.chmod(filename, mode & 0o770)
    return filename


def handler(stream: Any = None, fmt: str = "json", filename: str | None = None) -> logging.Handler:
    h = logging.FileHandler(private_file(filename)) if filename else logging.StreamHandler(stream or sys.stderr)
    h.setFormatter(formatter(fmt))
    h.addFilter(RedactingFilter())
    h.addFilter(ContextFilter())
    return h


def configure(level: str = "INFO", fmt: str = "json", filename: str | None = None) -> None:
    """Route every logger through one handler on the root (workers call this)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(fmt=fmt, filename=filename))
    root.setLevel(level)


def dict_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """The same as `configure`, for gunicorn's `logconfig_dict` (its own loggers included)."""
    json_handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": fmt,
        "filters": ["redact", "context"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactingFilter}, "context": {"()": ContextFilter}},
        "formatters": {"json": {"()": formatter, "fmt": "json"}, "text": {"()": formatter, "fmt": "text"}},
        "handlers": {"stderr": json_handler},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            # gunicorn.access is left as gunicorn sets it: silent unless --access-logfile
            # asks for its own lines; the app writes one JSON access line per request
            # (route, status, duration, request id) to the main log anyway.
        },
    }
