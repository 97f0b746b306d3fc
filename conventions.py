"""Shapes every layer agrees on, written once: language codes, ids, text, timestamps.

The API's schemas, the glossary model and the job store all import these, so
a code the API accepts is a code the glossary accepts, and every timestamp in
every response has the same form.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone
from typing import Any

# ISO 639-1/2/3-like codes with an optional subtag ("de", "fil", "pt-BR", "zh-Hant").
# A shape check, not a registry look-up: the installed models decide which
# languages are actually translatable.
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
LANGUAGE_CODE = re.compile(LANGUAGE_CODE_PATTERN)

# Ids that travel in URLs (glossaries, entries, external ids of articles).
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ID = re.compile(ID_PATTERN)

# JSON's \ud800-style escapes decode to lone surrogates, which are not Unicode
# text: Redis, the tokenizers and every encoder refuse them, so every API
# refuses them where text comes in, naming the position.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> tuple[int, int] | None:
    """(position, code point) of the first lone surrogate in `text`, if any."""
    match = _LONE_SURROGATE.search(text)
    return (match.start(), ord(match.group())) if match else None


def first_lone_surrogate(value: Any, where: str = "") -> str | None:
    """Where a request's value (strings, lists and objects of them) holds a lone
    surrogate, said for an error message; None when it holds none."""
    if isinstance(value, str):
        found = lone_surrogate(value)
        return f"{where or 'text'} has a lone surrogate (U+{found[1]:04X}) at position {found[0]}" if found else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        said = (
            first_lone_surrogate(key, f"a name in {where}" if where else "a name") if isinstance(key, str) else None
        ) or first_lone_surrogate(item, f"{where}[{key!r}]" if where else str(key))
        if said:
            return said
    return None


def iso(ts: float | str | None) -> str | None:
    """A Unix time as ISO 8601 UTC with milliseconds: 2026-11-26T08:15:23.123Z."""
    if ts in (None, "", 0, 0.0):
        return None
    moment = datetime.fromtimestamp(float(ts), timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_iso(value: Any) -> float:
    """Inverse of `iso` (also accepts a Unix time); 0.0 for nothing."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def printable(text: Any) -> str:
    """`text` safe to print on a terminal: control and format characters (ESC,
    CR, bidi overrides, ...) as visible escapes (\\x1b, \\u202e). Stored values
    can come from a request (the audit trail records request paths); printed
    raw, ESC [2J clears an operator's screen and worse."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in str(text))


def without_password(url: str) -> str:
    """`url` with the password of its user:password@ replaced: a URL as shown back
    (a job's status is read by every key of the tenant), not as used."""
    scheme, separator, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:<redacted>@{host}{slash}{path}"


def derived_secret(master: str, info: str) -> str:
    """A secret derived from `master` for one purpose (`info`): HKDF-SHA256 (RFC 5869),
    no salt, 32 bytes, as "whsec_" + hex. Knowing one derived secret tells nothing of
    `master` or of the secrets derived for other `info`s."""
    prk = hmac.new(b"\0" * 32, master.encode(), hashlib.sha256).digest()
    return "whsec_" + hmac.new(prk, info.encode() + b"\x01", hashlib.sha256).hexdigest()
