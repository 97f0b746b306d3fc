"""Who did what, when: a capped list of recent actions per API key.

    audit:{key id}   list of JSON entries, newest first, at most `max_entries`

Entries name the key by its prefix, never by its secret.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from config import Settings
from conventions import iso


@dataclass
class AuditLog:
    redis: redis.Redis
    max_entries: int = Settings.audit_entries_per_key
    prefix: str = "audit"

    def _key(self, key_id: str) -> str:
        return f"{self.prefix}:{key_id}"

    def record(self, key_id: str, action: str, **details: Any) -> dict[str, Any]:
        """Append one action ("POST /v1/jobs", "key.revoke", …) by key `key_id`."""
        entry = {"at": iso(time.time()), "action": action, **details}
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self._key(key_id), json.dumps(entry, separators=(",", ":")))
            pipe.ltrim(self._key(key_id), 0, self.max_entries - 1)
            pipe.execute()
        return entry

    def recent(self, key_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """The key's latest actions, newest first."""
        return [json.loads(raw) for raw in self.redis.lrange(self._key(key_id), 0, max(0, limit - 1))]
