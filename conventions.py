"""Shapes every layer agrees on, written once: language codes, ids, timestamps.

The API's schemas, the glossary model and the job store all import these, so
a code the API accepts is a code the glossary accepts, and every timestamp in
every response has the same form.
"""

from __future__ import annotations

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
