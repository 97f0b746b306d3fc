"""Glossaries in Redis, versioned, with optimistic concurrency.

    gl:index         sorted set: glossary ids by creation time (pagination)
    gl:{id}          hash: current version number ("deleted" once deleted)
    gl:{id}:v:{n}    JSON of version n, written once, never changed

Every change writes version n+1 and moves the pointer in one MULTI/EXEC,
guarded by WATCH on the pointer: two editors holding version n cannot both
succeed; the loser gets VersionConflict (HTTP 412). Old versions stay
readable, also after a delete, so queued jobs keep the versions they pinned.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Callable

import redis

from glossary.model import Entry, Glossary, GlossaryError, GlossaryLimits, validate


class NotFound(LookupError):
    pass


class VersionConflict(Exception):
    def __init__(self, current_version: int):
        super().__init__(f"the glossary is at version {current_version}")
        self.current_version = current_version


class LimitExceeded(Exception):
    pass


class GlossaryStore:
    def __init__(self, client: redis.Redis, limits: GlossaryLimits = GlossaryLimits(), prefix: str = "gl"):
        self.redis = client
        self.limits = limits
        self.prefix = prefix

    @classmethod
    def from_settings(cls, client: redis.Redis, settings) -> "GlossaryStore":
        return cls(client, GlossaryLimits(settings.max_glossary_entries, settings.max_term_length,
                                          settings.max_glossaries, settings.max_body_bytes))

    # -- keys -----------------------------------------------------------------

    def _pointer(self, glossary_id: str) -> str:
        return f"{self.prefix}:{glossary_id}"

    def _version_key(self, glossary_id: str, version: int) -> str:
        return f"{self.prefix}:{glossary_id}:v:{version}"

    # -- reading --------------------------------------------------------------

    def _current_version(self, client, glossary_id: str) -> int:
        pointer = client.hgetall(self._pointer(glossary_id))
        if not pointer or pointer.get(b"deleted") == b"1":
            raise NotFound(f"there is no glossary {glossary_id!r}")
        return int(pointer[b"version"])

    def get(self, glossary_id: str) -> Glossary:
        return self.get_version(glossary_id, self._current_version(self.redis, glossary_id))

    def get_version(self, glossary_id: str, version: int) -> Glossary:
        raw = self.redis.get(self._version_key(glossary_id, version))
        if raw is None:
            raise NotFound(f"glossary {glossary_id!r} has no version {version}")
        return Glossary.from_record(json.loads(raw))

    def list(self, offset: int = 0, limit: int = 50) -> tuple[list[Glossary], int]:
        ids = [i.decode() for i in self.redis.zrange(f"{self.prefix}:index", offset, offset + limit - 1)]
        items = []
        for glossary_id in ids:
            try:
                items.append(self.get(glossary_id))
            except NotFound:  # deleted between the two reads
                continue
        return items, self.redis.zcard(f"{self.prefix}:index")

    def inline(self, data: dict, source_lang: str) -> Glossary:
        """A validated, unsaved glossary for one job (POST /v1/jobs "glossary")."""
        glossary = Glossary("inline", "inline", source_lang, "",
                            [_entry(e) for e in data.get("entries", [])])
        validate(glossary, self.limits)
        return glossary

    # -- writing --------------------------------------------------------------

    def create(self, data: dict) -> Glossary:
        created = time.time()
        glossary = Glossary(uuid.uuid4().hex[:16], data["name"], data["source_lang"], data.get("description", ""),
                            [_entry(e) for e in data.get("entries", [])], 1, created, created)
        validate(glossary, self.limits)
        index = f"{self.prefix}:index"

        def write(pipe: redis.client.Pipeline) -> None:
            if pipe.zcard(index) >= self.limits.max_glossaries:
                raise LimitExceeded(f"this instance holds its limit of {self.limits.max_glossaries} glossaries")
            pipe.multi()
            pipe.set(self._version_key(glossary.id, 1), json.dumps(glossary.to_record()))
            pipe.hset(self._pointer(glossary.id), mapping={"version": 1, "deleted": 0})
            pipe.zadd(index, {glossary.id: created})

        self.redis.transaction(write, index)
        return glossary

    def _change(self, glossary_id: str, expected_version: int, edit: Callable[[Glossary], None]) -> Glossary:
        """Apply `edit` to the current version and store it as the next one, atomically."""
        pointer = self._pointer(glossary_id)
        result: dict[str, Glossary] = {}

        def write(pipe: redis.client.Pipeline) -> None:
            current = self._current_version(pipe, glossary_id)
            if current != expected_version:
                raise VersionConflict(current)
            raw = pipe.get(self._version_key(glossary_id, current))
            glossary = Glossary.from_record(json.loads(raw))
            edit(glossary)
            glossary.version = current + 1
            glossary.updated_at = time.time()
            validate(glossary, self.limits)  # before MULTI: an invalid edit writes nothing
            pipe.multi()
            pipe.set(self._version_key(glossary_id, glossary.version), json.dumps(glossary.to_record()))
            pipe.hset(pointer, "version", glossary.version)
            result["glossary"] = glossary

        self.redis.transaction(write, pointer)
        return result["glossary"]

    def replace(self, glossary_id: str, data: dict, expected_version: int) -> Glossary:
        def edit(g: Glossary) -> None:
            g.name, g.source_lang = data["name"], data["source_lang"]
            g.description = data.get("description", "")
            g.entries = [_entry(e) for e in data.get("entries", [])]

        return self._change(glossary_id, expected_version, edit)

    def patch(self, glossary_id: str, changes: dict, expected_version: int) -> Glossary:
        def edit(g: Glossary) -> None:
            g.name = changes.get("name", g.name)
            g.description = changes.get("description", g.description)
            if "entries" in changes:
                g.entries = [_entry(e) for e in changes["entries"]]

        return self._change(glossary_id, expected_version, edit)

    def add_entry(self, glossary_id: str, entry: dict, expected_version: int) -> Glossary:
        return self._change(glossary_id, expected_version, lambda g: g.entries.append(_entry(entry, new=True)))

    def replace_entry(self, glossary_id: str, entry_id: str, entry: dict, expected_version: int) -> Glossary:
        def edit(g: Glossary) -> None:
            index = _entry_index(g, entry_id)
            g.entries[index] = _entry({**entry, "id": entry_id})

        return self._change(glossary_id, expected_version, edit)

    def delete_entry(self, glossary_id: str, entry_id: str, expected_version: int) -> Glossary:
        return self._change(glossary_id, expected_version, lambda g: g.entries.pop(_entry_index(g, entry_id)))

    def delete(self, glossary_id: str, expected_version: int) -> None:
        pointer = self._pointer(glossary_id)

        def write(pipe: redis.client.Pipeline) -> None:
            current = self._current_version(pipe, glossary_id)
            if current != expected_version:
                raise VersionConflict(current)
            pipe.multi()
            pipe.hset(pointer, "deleted", 1)
            pipe.zrem(f"{self.prefix}:index", glossary_id)

        self.redis.transaction(write, pointer)


def _entry(data: dict, new: bool = False) -> Entry:
    if not isinstance(data, dict):
        raise GlossaryError([{"field": "entries", "reason": "an entry must be an object"}])
    return Entry.from_dict({k: v for k, v in data.items() if not (new and k == "id")})


def _entry_index(glossary: Glossary, entry_id: str) -> int:
    for index, entry in enumerate(glossary.entries):
        if entry.id == entry_id:
            return index
    raise NotFound(f"glossary {glossary.id!r} has no entry {entry_id!r}")
