"""The Redis key names the job store's classes share (jobs/store.py,
jobs/lease_store.py, jobs/outbox.py), and the clock they stamp with."""

from __future__ import annotations

import secrets
import time
from typing import Any

LEASES_KEY = "leases"  # sorted set: every open language ("<id>/<xx>"), by when it must next be looked at
OUTBOX_KEY = "outbox"  # sorted set: ended languages whose follow-up is not known to be done, by their end


def new_job_id() -> str:
    """128 random bits in upper-case hexadecimal: the shape of DeepL's document ids, which
    a job's id is to DeepL's clients (/v2/document); unguessable, as a LibreTranslate
    download URL holds nothing else."""
    return secrets.token_hex(16).upper()


def job_key(job_id: str) -> str:
    return f"job:{job_id}"


def lang_key(job_id: str, lang: str) -> str:
    return f"job:{job_id}:lang:{lang}"


def active_key(kind: str, state: str) -> str:
    """Unfinished jobs or languages ("{id}:{xx}") in one state, for metrics read in O(1)."""
    return f"active:{kind}:{state}"


def lease_member(job_id: str, lang: str) -> str:
    return f"{job_id}/{lang}"


def parse_member(member: Any) -> tuple[str, str]:
    """A lease or outbox member as (job id, language); redis-py hands out bytes."""
    job_id, lang = (member.decode() if isinstance(member, bytes) else str(member)).rsplit("/", 1)
    return job_id, lang


def now() -> float:
    return round(time.time(), 3)
