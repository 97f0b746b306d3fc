"""Console sessions, kept in Redis: the browser's cookie carries a random id
(and its CSRF token and flash messages), never the key, and signing out (or
expiry) ends a session on every API process at once.

Redis holds, per session, the signed-in key's id and description (no secret)
under the SHA-256 of the session id: a copy of Redis's files shows neither a
key nor a session id that could be replayed as a cookie."""

from __future__ import annotations

import hashlib
import json
import secrets
import time

import redis
from flask import request
from flask.sessions import SecureCookieSessionInterface


class ConsoleSessions:
    def __init__(self, client: redis.Redis, ttl_seconds: int, prefix: str = "console:session"):
        self.redis = client
        self.ttl = ttl_seconds
        self.prefix = prefix

    def _key(self, sid: str) -> str:
        return f"{self.prefix}:{hashlib.sha256(sid.encode()).hexdigest()}"

    def create(self, data: dict) -> str:
        sid = secrets.token_urlsafe(32)
        record = {"created_at": time.time(), **data}
        self.redis.set(self._key(sid), json.dumps(record), ex=self.ttl)
        return sid

    def get(self, sid: str | None) -> dict | None:
        """The session's data, its lifetime renewed (sessions expire after `ttl` idle seconds)."""
        if not isinstance(sid, str) or not sid:
            return None
        with self.redis.pipeline() as pipe:
            pipe.get(self._key(sid))
            pipe.expire(self._key(sid), self.ttl)
            raw = pipe.execute()[0]
        return json.loads(raw) if raw else None

    def delete(self, sid: str) -> None:
        self.redis.delete(self._key(sid))


def shared_secret(client: redis.Redis, key: str = "console:secret") -> str:
    """One secret for every API process (they sign the same cookies), made by
    whichever process needs it first, kept in Redis."""
    client.set(key, secrets.token_urlsafe(48), nx=True)
    return client.get(key).decode()


class ConsoleCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session, for console pages only.

    API requests get no session at all (they authenticate with keys, never
    cookies). The signing secret is CONSOLE_SECRET_KEY or, without one, the
    shared secret in Redis, fetched at the first console request rather than
    at start-up, so the API starts (and reports readiness) without Redis.
    """

    def __init__(self, client: redis.Redis, path: str):
        self.client = client
        self.path = path

    def get_cookie_secure(self, app) -> bool:
        # Secure whenever the page came over HTTPS (behind the proxy too: gunicorn
        # sets the scheme from X-Forwarded-Proto), so the cookie never goes out in clear.
        return request.is_secure or super().get_cookie_secure(app)

    def get_signing_serializer(self, app):
        if not request.path.startswith(self.path + "/"):
            return None
        if not app.secret_key:
            app.secret_key = shared_secret(self.client)
        return super().get_signing_serializer(app)
