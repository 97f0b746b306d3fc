"""Glossaries in Redis: versioned, with optimistic concurrency.

Keys (prefix "gl" by default):

    gl:seq              counter: creation order, for stable pagination
    gl:index            sorted set: live glossary ids, scored by creation order
    gl:g:{id}           hash: {"version": current version, "deleted": "0"/"1", "tenant": creator's tenant}
    gl:g:{id}:v:{n}     JSON of version n, with its author: written once, never changed
    gl:tenant:{t}       sorted set: the live glossaries tenant t created (its count is limited)

Glossaries are shared by every tenant (a newsroom's editorial policy); the
limit on their number counts per creating tenant, so one client cannot use
up the instance's room. Every version records the key that made it.

Every change writes version n+1 and moves the pointer in one MULTI/EXEC,
guarded by WATCH on the pointer and preceded by the expected-version check:
if another process commits in between, EXEC fails, the check runs again and
sees the new version, so of two editors holding version n exactly one
succeeds and the other gets VersionConflict (HTTP 412). Everything is
validated before MULTI, so an invalid change writes nothing.

Old versions stay readable (`get_version`), so a queued job keeps translating
with the versions it pinned. A version superseded by an edit, and every version
of a deleted glossary, is kept for `retention_seconds` (the job TTL: no job
can outlive it), then Redis expires it, so frequent edits do not grow Redis
without bound.
Durability is Redis's own: the project's redis.conf turns on AOF.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Callable

import redis

from conventions import ID

from glossary.entries import (
    ENTRY_ID,
    Entry,
    Glossary,
    GlossaryError,
    GlossaryLimits,
    check_input_fields,
    entries_from_input,
    etag,
    now,
    validate,
)

__all__ = ["GlossaryStore", "NotFound", "VersionConflict", "LimitExceeded", "etag"]

_GLOSSARY_FIELDS = ("name", "source_lang", "description", "entries")
_PATCH_FIELDS = ("name", "description", "entries")


class NotFound(LookupError):
    """No such glossary, entry or version (or the glossary was deleted)."""


class VersionConflict(Exception):
    """expected_version is not the current version; `current_version` is."""

    def __init__(self, current_version: int):
        super().__init__(f"the glossary is at version {current_version}")
        self.current_version = current_version


class LimitExceeded(Exception):
    """The tenant (or, without tenants, the instance) already holds its maximum number of glossaries."""


class GlossaryStore:
    def __init__(
        self,
        client: redis.Redis,
        limits: GlossaryLimits | None = None,
        prefix: str = "gl",
        retention_seconds: int | None = 7 * 24 * 3600,
    ):
        self.redis = client
        self.limits = limits or GlossaryLimits()
        self.prefix = prefix
        self.retention_seconds = retention_seconds

    @classmethod
    def from_settings(cls, client: redis.Redis, settings) -> "GlossaryStore":
        """Limits from config.Settings; old versions live as long as jobs do."""
        limits = GlossaryLimits(
            max_entries=settings.max_glossary_entries,
            max_term_length=settings.max_term_length,
            max_glossaries=settings.max_glossaries,
            max_import_bytes=settings.max_body_bytes,
        )
        return cls(client, limits, retention_seconds=settings.job_ttl_seconds)

    # -- keys -------------------------------------------------------------------

    @property
    def _index(self) -> str:
        return f"{self.prefix}:index"

    def _pointer(self, glossary_id: str) -> str:
        return f"{self.prefix}:g:{glossary_id}"

    def _version_key(self, glossary_id: str, version: int) -> str:
        return f"{self.prefix}:g:{glossary_id}:v:{version}"

    def _tenant_index(self, tenant: str | None) -> str:
        return f"{self.prefix}:tenant:{tenant}" if tenant else self._index

    # -- reading ----------------------------------------------------------------

    def current_version(self, glossary_id: str, client=None) -> int:
        """The current version number; NotFound if there is no such (live) glossary."""
        if not isinstance(glossary_id, str) or not ID.match(glossary_id):
            raise NotFound(f"there is no glossary {glossary_id!r}")
        pointer = (client or self.redis).hgetall(self._pointer(glossary_id))
        if not pointer or pointer.get(b"deleted") == b"1":
            raise NotFound(f"there is no glossary {glossary_id!r}")
        return int(pointer[b"version"])

    def get(self, glossary_id: str) -> Glossary:
        """The current version. (Two reads, but versions are immutable, so they always agree.)"""
        return self.get_version(glossary_id, self.current_version(glossary_id))

    def get_version(self, glossary_id: str, version: int) -> Glossary:
        """Version `version` exactly as it was; also of a deleted glossary, within the retention."""
        raw = None
        if isinstance(glossary_id, str) and ID.match(glossary_id) and isinstance(version, int):
            raw = self.redis.get(self._version_key(glossary_id, version))
        if raw is None:
            raise NotFound(f"glossary {glossary_id!r} has no version {version}")
        return Glossary.from_record(json.loads(raw))

    def list(self, offset: int = 0, limit: int = 50) -> tuple[list[Glossary], int]:
        """Live glossaries in creation order, and how many there are in all."""
        if offset < 0 or limit <= 0:
            return [], self.redis.zcard(self._index)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrange(self._index, offset, offset + limit - 1)
            pipe.zcard(self._index)
            raw_ids, total = pipe.execute()
        ids = [i.decode() for i in raw_ids]
        if not ids:
            return [], total
        with self.redis.pipeline(transaction=False) as pipe:
            for glossary_id in ids:
                pipe.hget(self._pointer(glossary_id), "version")
            versions = pipe.execute()
        keys = [self._version_key(i, int(v)) for i, v in zip(ids, versions) if v is not None]
        items = [Glossary.from_record(json.loads(raw)) for raw in self.redis.mget(keys) if raw] if keys else []
        return items, total

    def versions(self, glossary_id: str, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """The versions still kept, newest first: {version, author, updated_at, entries}; and the current number.

        Superseded versions expire after `retention_seconds`; those are left out.
        """
        current = self.current_version(glossary_id)
        numbers = list(range(current - offset, max(0, current - offset - limit), -1))
        raws = self.redis.mget([self._version_key(glossary_id, n) for n in numbers]) if numbers else []
        items = []
        for raw in raws:
            if raw is None:
                continue
            summary = Glossary.from_record(json.loads(raw)).summary()
            items.append({k: summary[k] for k in ("version", "author", "updated_at", "entries", "name")})
        return items, current

    def inline(self, data: dict, source_lang: str) -> Glossary:
        """A validated, unsaved glossary for one job (the "glossary" of POST /v1/jobs).

        Entry ids are derived from the content, so the same inline glossary
        gives the same ids (and reports) in every worker.
        """
        if not isinstance(data, dict):
            raise GlossaryError.single("glossary", "must be an object")
        entries = entries_from_input(data.get("entries"), keep_ids=True)
        for index, entry in enumerate(entries):
            if "id" not in (data["entries"][index] or {}):
                digest = hashlib.sha256(json.dumps([index, entry.term], ensure_ascii=False).encode()).hexdigest()
                entry.id = "in" + digest[:10]
        glossary = Glossary("inline", "inline", source_lang, "", entries)
        validate(glossary, self.limits)
        return glossary

    # -- writing ----------------------------------------------------------------

    def create(self, data: dict, author: dict | None = None, tenant: str | None = None) -> Glossary:
        """A new glossary at version 1, made by `author` for `tenant`; LimitExceeded
        when the tenant (without one: the instance) already has max_glossaries."""
        check_input_fields(data, _GLOSSARY_FIELDS, required=("name", "source_lang"))
        created = now()
        glossary = Glossary(
            uuid.uuid4().hex[:16],
            data["name"],
            data["source_lang"],
            data.get("description") or "",
            entries_from_input(data.get("entries")),
            1,
            created,
            created,
            author,
        )
        validate(glossary, self.limits)
        record = json.dumps(glossary.to_record(), ensure_ascii=False)
        order = self.redis.incr(f"{self.prefix}:seq")  # only orders the list; gaps are harmless

        counted = self._tenant_index(tenant)

        def write(pipe: redis.client.Pipeline) -> None:
            # WATCH on the counted index: two creates racing for the last free
            # slot cannot both pass this count.
            if pipe.zcard(counted) >= self.limits.max_glossaries:
                holder = f"tenant {tenant!r}" if tenant else "this instance"
                raise LimitExceeded(f"{holder} already holds its limit of {self.limits.max_glossaries} glossaries")
            pipe.multi()
            pipe.set(self._version_key(glossary.id, 1), record)
            pipe.hset(self._pointer(glossary.id), mapping={"version": 1, "deleted": 0, "tenant": tenant or ""})
            pipe.zadd(self._index, {glossary.id: order})
            if tenant:
                pipe.zadd(counted, {glossary.id: order})

        self.redis.transaction(write, counted)
        return glossary

    def _change(
        self, glossary_id: str, expected_version: int, edit: Callable[[Glossary], None], author: dict | None = None
    ) -> Glossary:
        """Apply `edit` to the current version and store the result as the next one, atomically."""
        pointer = self._pointer(glossary_id)
        self.current_version(glossary_id)  # NotFound early, before watching anything

        def write(pipe: redis.client.Pipeline) -> Glossary:
            current = self.current_version(glossary_id, client=pipe)
            if current != expected_version:
                raise VersionConflict(current)
            glossary = Glossary.from_record(json.loads(pipe.get(self._version_key(glossary_id, current))))
            edit(glossary)
            glossary.version = current + 1
            glossary.updated_at = now()
            glossary.author = author
            validate(glossary, self.limits)  # before MULTI: an invalid edit writes nothing
            record = json.dumps(glossary.to_record(), ensure_ascii=False)
            pipe.multi()
            pipe.set(self._version_key(glossary_id, glossary.version), record)
            pipe.hset(pointer, "version", glossary.version)
            if self.retention_seconds:
                pipe.expire(self._version_key(glossary_id, current), self.retention_seconds)
            return glossary

        return self.redis.transaction(write, pointer, value_from_callable=True)

    def replace(self, glossary_id: str, data: dict, expected_version: int, author: dict | None = None) -> Glossary:
        """Everything anew (name, source_lang, description, entries); entry ids given are kept."""
        check_input_fields(data, _GLOSSARY_FIELDS, required=("name", "source_lang"))
        entries = entries_from_input(data.get("entries"))

        def edit(g: Glossary) -> None:
            g.name, g.source_lang = data["name"], data["source_lang"]
            g.description = data.get("description") or ""
            g.entries = entries

        return self._change(glossary_id, expected_version, edit, author)

    def patch(self, glossary_id: str, changes: dict, expected_version: int, author: dict | None = None) -> Glossary:
        """Change name, description and/or the whole entry list."""
        check_input_fields(changes, _PATCH_FIELDS)
        entries = entries_from_input(changes["entries"]) if "entries" in changes else None

        def edit(g: Glossary) -> None:
            g.name = changes.get("name", g.name)
            g.description = changes.get("description", g.description)
            if entries is not None:
                g.entries = entries

        return self._change(glossary_id, expected_version, edit, author)

    def add_entry(
        self, glossary_id: str, entry: dict | Entry, expected_version: int, author: dict | None = None
    ) -> Glossary:
        """Append an entry; it gets a new id (an id in `entry` is ignored)."""
        new = _entry(entry)
        new.id = uuid.uuid4().hex[:12]
        return self._change(glossary_id, expected_version, lambda g: g.entries.append(new), author)

    def replace_entry(
        self, glossary_id: str, entry_id: str, entry: dict | Entry, expected_version: int, author: dict | None = None
    ) -> Glossary:
        """Replace one entry in place; it keeps `entry_id`."""
        new = _entry(entry)
        new.id = entry_id

        def edit(g: Glossary) -> None:
            g.entries[_entry_index(g, entry_id)] = new

        return self._change(glossary_id, expected_version, edit, author)

    def delete_entry(
        self, glossary_id: str, entry_id: str, expected_version: int, author: dict | None = None
    ) -> Glossary:
        return self._change(glossary_id, expected_version, lambda g: g.entries.pop(_entry_index(g, entry_id)), author)

    def delete(self, glossary_id: str, expected_version: int) -> None:
        """Delete a glossary; its versions stay readable for `retention_seconds`."""
        pointer = self._pointer(glossary_id)
        self.current_version(glossary_id)

        def write(pipe: redis.client.Pipeline) -> None:
            current = self.current_version(glossary_id, client=pipe)
            if current != expected_version:
                raise VersionConflict(current)
            tenant = (pipe.hget(pointer, "tenant") or b"").decode()
            pipe.multi()
            pipe.hset(pointer, "deleted", 1)
            pipe.zrem(self._index, glossary_id)
            if tenant:
                pipe.zrem(self._tenant_index(tenant), glossary_id)
            if self.retention_seconds:
                pipe.expire(self._version_key(glossary_id, current), self.retention_seconds)
                pipe.expire(pointer, self.retention_seconds)

        self.redis.transaction(write, pointer)


def _entry(entry: dict | Entry) -> Entry:
    if isinstance(entry, Entry):
        return Entry.from_dict(entry.to_dict())
    if isinstance(entry, dict):
        return Entry.from_dict({k: v for k, v in entry.items() if k != "id"})
    raise GlossaryError.single("entry", "an entry must be an object")


def _entry_index(glossary: Glossary, entry_id: str) -> int:
    if isinstance(entry_id, str) and ENTRY_ID.match(entry_id):
        for index, entry in enumerate(glossary.entries):
            if entry.id == entry_id:
                return index
    raise NotFound(f"glossary {glossary.id!r} has no entry {entry_id!r}")
