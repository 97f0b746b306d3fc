"""API keys in Redis: created once, stored only as a hash, checked on every request.

A key reads `nt_live_<id>_<secret>`: `nt_live_<id>` is its visible prefix (in
lists, logs, audit entries, glossary versions), `<secret>` 40 random
alphanumerics (238 bits). Only the SHA-256 of the whole key is stored; a key
that random needs no slow password hash, and the lookup by id plus a
constant-time comparison of the hashes is one Redis read per request. The
secret is returned once, by `create` or `rotate`, and never again.

    apikey:{id}     hash: hash, name, tenant, roles, limits, webhook nonce, timestamps
    apikey:index    sorted set: ids by creation time

A key's own webhook secret is not stored either: the record holds a random
nonce, and the secret is derived from WEBHOOK_SECRET and that nonce when an
event is signed (`conventions.derived_secret`), so a copy of Redis's files
signs nothing. (Keys made before kept the secret itself, `webhook_secret`; it
is still used for them.)

There is no cache in the API processes: every request reads the record, so a
revocation holds on every process at once.

Roles: `translate` (submit jobs, read and cancel its tenant's jobs, read its
tenant's articles), `glossary:read`, `glossary:write` (implies read) and
`admin` (implies all, manages keys, sees every job). A key belongs to a
tenant (a desk, a client); jobs and articles are visible within the tenant.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.client import Pipeline

from access.quotas import InvalidLimit, parse_limit
from conventions import ID, derived_secret, iso

TRANSLATE, GLOSSARY_READ, GLOSSARY_WRITE, ADMIN = "translate", "glossary:read", "glossary:write", "admin"
# Approves translations and curates the tenant's translation memory (editorial/).
REVIEW = "review"
ROLES = (TRANSLATE, GLOSSARY_READ, GLOSSARY_WRITE, REVIEW, ADMIN)
_IMPLIES = {ADMIN: set(ROLES), GLOSSARY_WRITE: {GLOSSARY_READ}}

PREFIX = "nt_live_"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
_ID_LENGTH, _SECRET_LENGTH = 8, 40
KEY_PATTERN = re.compile(rf"{PREFIX}([a-z0-9]{{{_ID_LENGTH}}})_([A-Za-z0-9]{{{_SECRET_LENGTH}}})")
_ID_OR_PREFIX = re.compile(rf"(?:{PREFIX})?([a-z0-9]{{{_ID_LENGTH}}})")


class UnknownKey(Exception):
    """No key matches what was presented (malformed, never issued, or wrong secret)."""


class RevokedKey(Exception):
    """The key was issued and is correct, but has been revoked."""


class KeyNotFound(LookupError):
    pass


class InvalidKeySpec(ValueError):
    """A create/update request that cannot be honoured; `field` names the culprit."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def effective_roles(roles: Iterable[str]) -> frozenset[str]:
    """The roles a key's roles grant, implications included."""
    granted = set(roles)
    for role in roles:
        granted |= _IMPLIES.get(role, set())
    return frozenset(granted)


def _text(value: Any) -> str:
    """A value read from Redis (bytes: the client does not decode responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _hash(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    tenant: str
    roles: tuple[str, ...]
    # The key's own limits ("" = the configured default), in the `limits` notation.
    rate_limit: str = ""
    char_quota: str = ""
    created_at: float = 0.0
    created_by: str = ""
    revoked_at: float = 0.0
    revoked_by: str = ""
    rotated_from: str = ""
    rotated_to: str = ""
    has_webhook_secret: bool = False

    @property
    def prefix(self) -> str:
        """What identifies the key to people and logs; never enough to use it."""
        return f"{PREFIX}{self.id}"

    @property
    def revoked(self) -> bool:
        return bool(self.revoked_at)

    def has_role(self, role: str | None) -> bool:
        return role is None or role in effective_roles(self.roles)

    def to_dict(self) -> dict[str, Any]:
        """The public description (admin endpoints, CLI): no hash, no secrets."""
        return {
            "id": self.id,
            "prefix": self.prefix,
            "name": self.name,
            "tenant": self.tenant,
            "roles": list(self.roles),
            "rate_limit": self.rate_limit or None,
            "char_quota": self.char_quota or None,
            "has_webhook_secret": self.has_webhook_secret,
            "created_at": iso(self.created_at),
            "created_by": self.created_by or None,
            "revoked": self.revoked,
            "revoked_at": iso(self.revoked_at),
            "revoked_by": self.revoked_by or None,
            "rotated_from": f"{PREFIX}{self.rotated_from}" if self.rotated_from else None,
            "rotated_to": f"{PREFIX}{self.rotated_to}" if self.rotated_to else None,
        }

    def author(self) -> dict[str, str]:
        """How the key signs what it changes (glossary versions, audit entries)."""
        return {"key": self.prefix, "name": self.name}

    @classmethod
    def from_record(cls, key_id: str, record: dict[str, str]) -> "ApiKey":
        return cls(
            id=key_id,
            name=record.get("name", ""),
            tenant=record.get("tenant", key_id),
            roles=tuple(r for r in record.get("roles", "").split() if r),
            rate_limit=record.get("rate_limit", ""),
            char_quota=record.get("char_quota", ""),
            created_at=float(record.get("created_at") or 0),
            created_by=record.get("created_by", ""),
            revoked_at=float(record.get("revoked_at") or 0),
            revoked_by=record.get("revoked_by", ""),
            rotated_from=record.get("rotated_from", ""),
            rotated_to=record.get("rotated_to", ""),
            has_webhook_secret=bool(record.get("webhook_nonce") or record.get("webhook_secret")),
        )


@dataclass(frozen=True)
class NewKey:
    """A key just made: the only moment its secret (and webhook secret) exist outside the client."""

    key: ApiKey
    secret: str
    webhook_secret: str | None = None


# Any: the values come from JSON bodies and the CLI, and are checked here.
def _check_spec(
    name: Any = None, roles: Any = None, tenant: Any = None, rate_limit: Any = None, char_quota: Any = None
) -> None:
    if name is not None and (not isinstance(name, str) or not 1 <= len(name.strip()) <= 100):
        raise InvalidKeySpec("name", "must be 1 to 100 characters")
    if roles is not None:
        if not roles:
            raise InvalidKeySpec("roles", f"at least one of {', '.join(ROLES)}")
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise InvalidKeySpec(
                "roles", f"unknown role(s) {', '.join(map(repr, unknown))}; roles are {', '.join(ROLES)}"
            )
    if tenant is not None and (not isinstance(tenant, str) or not ID.match(tenant)):
        raise InvalidKeySpec("tenant", "1 to 64 letters, digits, '_' or '-'")
    for field_name, value in (("rate_limit", rate_limit), ("char_quota", char_quota)):
        if value:
            try:
                parse_limit(value)
            except InvalidLimit as error:
                raise InvalidKeySpec(field_name, str(error))


@dataclass
class KeyStore:
    redis: redis.Redis
    prefix: str = "apikey"
    _now: Callable[[], float] = field(default=time.time, repr=False)
    # WEBHOOK_SECRET: keys' own webhook secrets are derived from it (none without it).
    webhook_master: str = field(default="", repr=False)

    def _key(self, key_id: str) -> str:
        return f"{self.prefix}:{key_id}"

    @property
    def _index(self) -> str:
        return f"{self.prefix}:index"

    # -- issuing ------------------------------------------------------------------

    def create(
        self,
        name: str,
        roles: Iterable[str] | None,
        tenant: str | None = None,
        rate_limit: str = "",
        char_quota: str = "",
        webhook_secret: bool = False,
        created_by: str = "",
        _fields: dict[str, Any] | None = None,
    ) -> NewKey:
        """A new key; its secret is in the returned NewKey and nowhere else.

        `tenant` defaults to the key's own id (a key alone in its tenant).
        `webhook_secret=True` makes a per-key secret for signing this key's
        webhook events (returned once too; Redis keeps only the nonce it is
        derived from with `webhook_master`, which it needs).
        """
        roles = tuple(dict.fromkeys(roles or ()))
        _check_spec(name, roles, tenant, rate_limit, char_quota)
        if webhook_secret and not self.webhook_master:
            raise InvalidKeySpec(
                "webhook_secret",
                "a key's own webhook secret is derived from the server's WEBHOOK_SECRET, which is not set",
            )
        while True:
            key_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
            secret = f"{PREFIX}{key_id}_" + "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(_SECRET_LENGTH))
            nonce = secrets.token_hex(16) if webhook_secret else ""
            hook_secret = self._derive(nonce) if nonce else ""
            record = {
                "hash": _hash(secret),
                "name": name.strip(),
                "tenant": tenant or key_id,
                "roles": " ".join(roles),
                "rate_limit": rate_limit or "",
                "char_quota": char_quota or "",
                "webhook_nonce": nonce,
                "created_at": round(self._now(), 3),
                "created_by": created_by,
                **(_fields or {}),
            }
            # The lambda runs within this iteration (B023 cannot see that).
            # (The stubs expect a callable returning None; value_from_callable returns its value.)
            if self.redis.transaction(
                lambda pipe: self._claim(pipe, key_id, record),  # type: ignore[arg-type]  # noqa: B023
                self._key(key_id),
                value_from_callable=True,
            ):
                break  # else the id was taken (1 in 36^8): draw again
        key = ApiKey.from_record(key_id, {k: str(v) for k, v in record.items()})
        return NewKey(key, secret, hook_secret or None)

    def _claim(self, pipe: Pipeline, key_id: str, record: dict[Any, Any]) -> bool:
        """Write the whole record under a new id, or nothing if the id exists (WATCHed)."""
        if pipe.exists(self._key(key_id)):
            return False
        pipe.multi()
        pipe.hset(self._key(key_id), mapping=record)
        pipe.zadd(self._index, {key_id: record["created_at"]})
        return True

    # -- checking -----------------------------------------------------------------

    def authenticate(self, presented: str | None) -> ApiKey:
        """The key `presented` belongs to; UnknownKey or RevokedKey otherwise."""
        match = KEY_PATTERN.fullmatch(presented or "")
        if not match:
            raise UnknownKey()
        record = self._record(match.group(1))
        # Compare hashes in constant time, so timing says nothing about how much matched.
        if record is None or not hmac.compare_digest(_hash(match.group(0)), record.get("hash", "")):
            raise UnknownKey()
        key = ApiKey.from_record(match.group(1), record)
        if key.revoked:
            raise RevokedKey()
        return key

    def authenticate_id(self, key_id: str) -> ApiKey:
        """The key with this id, for a caller that proved it earlier (a console session
        started with the key); UnknownKey or RevokedKey as `authenticate`."""
        record = self._record(key_id) if _ID_OR_PREFIX.fullmatch(key_id or "") else None
        if record is None:
            raise UnknownKey()
        key = ApiKey.from_record(key_id, record)
        if key.revoked:
            raise RevokedKey()
        return key

    # -- reading ------------------------------------------------------------------

    def _record(self, key_id: str) -> dict[str, str] | None:
        raw = self.redis.hgetall(self._key(key_id))
        return {_text(k): _text(v) for k, v in raw.items()} if raw else None

    @staticmethod
    def parse_id(key_id_or_prefix: str) -> str:
        """'ab12cd34' or 'nt_live_ab12cd34' -> 'ab12cd34'; KeyNotFound for anything else."""
        match = _ID_OR_PREFIX.fullmatch(key_id_or_prefix or "")
        if not match:
            raise KeyNotFound(key_id_or_prefix)
        return match.group(1)

    def get(self, key_id_or_prefix: str) -> ApiKey:
        key_id = self.parse_id(key_id_or_prefix)
        record = self._record(key_id)
        if record is None:
            raise KeyNotFound(key_id_or_prefix)
        return ApiKey.from_record(key_id, record)

    def list(self, include_revoked: bool = True) -> list[ApiKey]:
        """Every key, oldest first."""
        ids = [_text(i) for i in self.redis.zrange(self._index, 0, -1)]
        with self.redis.pipeline(transaction=False) as pipe:
            for key_id in ids:
                pipe.hgetall(self._key(key_id))
            records = pipe.execute()
        keys = [ApiKey.from_record(i, {_text(k): _text(v) for k, v in r.items()}) for i, r in zip(ids, records) if r]
        return [k for k in keys if include_revoked or not k.revoked]

    def _derive(self, nonce: str) -> str:
        return derived_secret(self.webhook_master, f"newsroom-webhook-key:{nonce}")

    def webhook_secret(self, key_id: str) -> str | None:
        """The key's own webhook signing secret, if it has one (and the master it is derived from is set)."""
        kept, nonce = self.redis.hmget(self._key(key_id), "webhook_secret", "webhook_nonce")
        if kept:  # a key made before secrets were derived
            return _text(kept)
        return self._derive(_text(nonce)) if nonce and self.webhook_master else None

    # -- changing -----------------------------------------------------------------

    def update(
        self,
        key_id_or_prefix: str,
        *,
        name: str | None = None,
        roles: Iterable[str] | None = None,
        rate_limit: str | None = None,
        char_quota: str | None = None,
    ) -> ApiKey:
        """Change a key's name, roles or limits ("" puts a limit back to the default)."""
        key = self.get(key_id_or_prefix)
        new_roles = tuple(dict.fromkeys(roles)) if roles is not None else None
        _check_spec(name, new_roles, None, rate_limit, char_quota)
        changes: dict[Any, str] = {
            k: v
            for k, v in (
                ("name", name.strip() if name else None),
                ("roles", " ".join(new_roles) if new_roles is not None else None),
                ("rate_limit", rate_limit),
                ("char_quota", char_quota),
            )
            if v is not None
        }
        if changes:
            self.redis.hset(self._key(key.id), mapping=changes)
        return self.get(key.id)

    def revoke(self, key_id_or_prefix: str, by: str = "") -> ApiKey:
        """Refuse the key from now on, on every API process (it is read on every request).
        Revoking a revoked key changes nothing."""
        key = self.get(key_id_or_prefix)
        if not key.revoked:
            self.redis.hset(self._key(key.id), mapping={"revoked_at": round(self._now(), 3), "revoked_by": by})
        return self.get(key.id)

    def rotate(self, key_id_or_prefix: str, by: str = "") -> NewKey:
        """A new key with the same name, tenant, roles, limits and webhook secret; the old one is revoked.

        The tenant is kept, so the new key sees the same jobs and articles; the
        webhook secret is kept, so receivers keep verifying.
        """
        old = self.get(key_id_or_prefix)
        if old.revoked:
            raise InvalidKeySpec("key", f"{old.prefix} is revoked; create a new key instead")
        kept, nonce = (
            _text(v) if v else "" for v in self.redis.hmget(self._key(old.id), "webhook_secret", "webhook_nonce")
        )
        new = self.create(
            old.name,
            old.roles,
            old.tenant,
            old.rate_limit,
            old.char_quota,
            created_by=by,
            _fields={"rotated_from": old.id, "webhook_secret": kept, "webhook_nonce": nonce},
        )
        self.redis.hset(self._key(old.id), "rotated_to", new.key.id)
        self.revoke(old.id, by=by)
        return NewKey(self.get(new.key.id), new.secret, None)
