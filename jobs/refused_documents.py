"""Document uploads that DeepL accepts and then reports as failed.

DeepL answers an upload whose source language equals its target with a
document handle, and reports the document's status as `error`; its clients
raise `DocumentTranslationException` carrying that handle, and integrations
handle the failure there, not at upload. No job can be made of such a
request (its only language is its source), so the refusal itself is kept,
under an id of the same shape as a job's, for as long as a job would be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

from jobs.keys import new_job_id


@dataclass(frozen=True)
class RefusedDocument:
    tenant: str
    key_sha256: str  # of the document key handed out, as jobs keep it
    message: str  # what the status reports as `error_message`


@dataclass
class RefusedDocuments:
    redis: redis.Redis
    ttl_seconds: int

    @staticmethod
    def _key(document_id: str) -> str:
        return f"document:refused:{document_id}"

    def record(self, refused: RefusedDocument) -> str:
        document_id = new_job_id()
        self.redis.set(self._key(document_id), json.dumps(refused.__dict__), ex=self.ttl_seconds)
        return document_id

    def get(self, document_id: str) -> RefusedDocument | None:
        raw = self.redis.get(self._key(document_id))
        return RefusedDocument(**json.loads(raw)) if raw else None
