"""Who is calling, and may they: API keys on every request, a role per endpoint,
per-key rate limits, and an audit entry for every change.

Every endpoint declares its access with `@requires(role)` (a role, or
`ANY_KEY` for any valid key) or `@public`; `register` refuses to start an app
with an endpoint that declares neither, so a new endpoint cannot be left open
by accident. One `before_request` hook, run before anything else reads the
request, then does, in order:

1. find the key (`presented_key`) and check it (`KeyStore.authenticate`):
   none, unknown or revoked -> 401 with `WWW-Authenticate`;
2. check the endpoint's role -> 403;
3. count the request against the key's rate limit -> 429 with `Retry-After`.

The views read the caller with `current_key()`. Compatibility endpoints (DeepL,
LibreTranslate) declare their role the same way; the key may come in any of
the places `presented_key` looks.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass

import redis
from flask import Flask, current_app, g, request

from access import (
    ADMIN,
    ROLES,
    ApiKey,
    AuditLog,
    KeyStore,
    Quotas,
    RevokedKey,
    UnknownKey,
    UNLIMITED,
    Verdict,
)
from config import Settings
from service.problems import Problem

log = logging.getLogger(__name__)

REALM = "newsroom-translate"
SECURITY_SCHEME = "ApiKeyAuth"
ANY_KEY = None  # `@requires(ANY_KEY)`: any valid key, whatever its roles
LIBRE_BLUEPRINT = "libre"  # service/libre.py: the only endpoints that take `api_key` fields

# APIFlask's own endpoints (the OpenAPI document and the docs page) are open.
_OPEN_ENDPOINTS = {"openapi.spec", "openapi.docs", "openapi.swagger_ui_oauth_redirect", "static"}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# The WSGI environ entry through which the console's in-process requests name the
# signed-in key by its id (service.console.api): servers put HTTP headers under
# HTTP_*, so no client can set it, and the console keeps no raw key to send.
IN_PROCESS_KEY = "newsroom.in_process_key_id"

# The key every request acts as when AUTH_DISABLED is set: admin, no limits, tenant "local".
LOCAL_KEY = ApiKey(
    id="local", name="auth disabled", tenant="local", roles=(ADMIN,), rate_limit=UNLIMITED, char_quota=UNLIMITED
)


@dataclass
class Access:
    keys: KeyStore
    quotas: Quotas
    audit: AuditLog
    disabled: bool = False


def access() -> Access:
    return current_app.extensions["access"]


def requires(role: str | None):
    """Declare the role a view needs (one of access.ROLES, or ANY_KEY). Admin keys have every role."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def declare(view):
        view.required_role = role
        return view

    return declare


def or_token(setting: str):
    """Also accept `Authorization: Bearer <the value of Settings.<setting>>`, when
    that is set, in place of a key with the role: a credential for a machine that
    needs this one endpoint and nothing else (the Prometheus scraper)."""

    def declare(view):
        view.alternative_token = setting
        return view

    return declare


def public(view):
    """Declare a view open to everyone (health checks)."""
    view.public = True
    return view


def presented_key() -> str | None:
    """The API key this request presents, or None. The one place keys are looked for:

    - `Authorization: Bearer <key>` (the native API),
    - `Authorization: DeepL-Auth-Key <key>` (DeepL's clients),
    - `api_key` in the query string, a form body or a JSON body, on LibreTranslate's
      endpoints only (its clients send nothing else).

    The body is read only when no Authorization header is sent. A key in a URL ends
    up in proxy logs, browser history and Referer headers: the native and admin
    endpoints do not take it there, so a link cannot carry an admin key.
    """
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() in ("bearer", "deepl-auth-key"):
        return value.strip() or None
    if scheme:
        return None  # another scheme (Basic, …): not a key of ours
    if request.blueprint != LIBRE_BLUEPRINT:
        return None
    candidate = request.args.get("api_key")
    if candidate is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        candidate = request.form.get("api_key")
    if candidate is None and request.is_json:
        body = request.get_json(silent=True)
        candidate = body.get("api_key") if isinstance(body, dict) else None
    return candidate if isinstance(candidate, str) and candidate.strip() else None


def presents_token(expected: str) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), expected.encode())


def current_key() -> ApiKey:
    """The key of the request being served (LOCAL_KEY when auth is disabled)."""
    return g.api_key


def is_admin() -> bool:
    return current_key().has_role(ADMIN)


def _challenge(error: str | None = None, description: str | None = None) -> dict:
    value = f'Bearer realm="{REALM}"'
    if error:
        value += f', error="{error}", error_description="{description}"'
    return {"WWW-Authenticate": value}


def unauthorized(slug: str, title: str, detail: str, error: str | None = None) -> Problem:
    return Problem(401, slug, title, detail, headers=_challenge(error, title))


def too_many(verdict: Verdict, what: str, detail: str) -> Problem:
    return Problem(
        429,
        "rate-limited" if what == "requests" else "quota-exceeded",
        "Too many requests" if what == "requests" else "Character quota exceeded",
        detail,
        headers={"Retry-After": str(verdict.retry_after)},
        limit=verdict.limit,
        retry_after=verdict.retry_after,
    )


def authenticate() -> ApiKey:
    """The caller's key, checked; a 401 problem otherwise. For views outside the hook's reach."""
    in_process = request.environ.get(IN_PROCESS_KEY)
    presented = presented_key() if in_process is None else None
    if in_process is None and presented is None:
        raise unauthorized("missing-api-key", "API key required", "Send your API key as 'Authorization: Bearer <key>'.")
    try:
        if in_process is not None:
            return access().keys.authenticate_id(in_process)
        return access().keys.authenticate(presented)
    except UnknownKey:
        raise unauthorized("invalid-api-key", "Invalid API key", "The API key is not valid.", "invalid_token")
    except RevokedKey:
        raise unauthorized(
            "revoked-api-key",
            "API key revoked",
            "The API key has been revoked; ask an administrator for a new one.",
            "invalid_token",
        )


def authorize(key: ApiKey, role: str | None) -> None:
    if not key.has_role(role):
        raise Problem(
            403,
            "missing-role",
            "Role required",
            f"The key {key.prefix} lacks the role {role!r} that this operation needs.",
            required_role=role,
        )


def count_request(key: ApiKey) -> None:
    verdict = access().quotas.request(key)
    if not verdict.allowed:
        raise too_many(
            verdict,
            "requests",
            f"The key {key.prefix} is limited to {verdict.limit} requests; retry in {verdict.retry_after} s.",
        )


def charge_characters(count: int) -> None:
    """Charge `count` characters to the caller's daily quota; 429 if they do not fit."""
    key = current_key()
    verdict = access().quotas.characters(key, count)
    if not verdict.allowed:
        raise too_many(
            verdict,
            "characters",
            f"This request needs {count} characters; the key {key.prefix} has "
            f"{verdict.remaining} of {verdict.limit} left. Retry in {verdict.retry_after} s.",
        )


def register(app: Flask, settings: Settings, client) -> None:
    """Wire access control into `app`; call before any other before_request hook is registered."""
    app.extensions["access"] = Access(
        keys=KeyStore(client, webhook_master=settings.webhook_secret),
        quotas=Quotas(client, settings.redis_url, settings.rate_limit, settings.char_quota),
        audit=AuditLog(client, settings.audit_entries_per_key),
        disabled=settings.auth_disabled,
    )
    if settings.auth_disabled:
        app.logger.warning(
            "AUTH_DISABLED is set: every request acts as an admin key, with no limits. Do not expose this API."
        )
    app.config["SECURITY_SCHEMES"] = {
        **(app.config.get("SECURITY_SCHEMES") or {}),
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Authorization: Bearer nt_live_…`. Each operation names the role it needs.",
        },
    }

    @app.before_request
    def check_access():
        if request.method == "OPTIONS" or request.endpoint is None:
            return None  # preflight; unknown route or method (404/405) reveals nothing
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "public", False) or request.endpoint in _OPEN_ENDPOINTS:
            return None
        alternative = getattr(settings, getattr(view, "alternative_token", ""), "")
        if alternative and presents_token(alternative):
            return None
        if access().disabled:
            g.api_key = LOCAL_KEY
            return None
        key = authenticate()
        g.api_key = key
        authorize(key, getattr(view, "required_role", ADMIN))
        count_request(key)
        return None

    @app.after_request
    def audit(response):
        key = g.get("api_key")
        if key is not None and request.method in _WRITE_METHODS:
            try:
                access().audit.record(
                    key.id,
                    f"{request.method} {request.path}",
                    key=key.prefix,
                    endpoint=request.endpoint,
                    status=response.status_code,
                )
            except redis.RedisError as error:
                # A full or unreachable Redis must not turn the answer (a 507, or a
                # change that did happen) into a 500; the lost entry is logged.
                log.error(
                    "audit entry not written for %s %s (status %s): %s",
                    request.method,
                    request.path,
                    response.status_code,
                    error,
                )
        return response

    @app.spec_processor
    def document_access(spec: dict) -> dict:
        _document(app, spec)
        return spec


def check_declarations(app: Flask) -> None:
    """Every endpoint says who may call it; an undeclared one stops the app from starting."""
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in _OPEN_ENDPOINTS and not getattr(view, "public", False) and not hasattr(view, "required_role")
    )
    if undeclared:
        raise RuntimeError(f"endpoints without @requires(role) or @public: {', '.join(undeclared)}")


def endpoint_role(app: Flask, endpoint: str) -> tuple[bool, str | None]:
    """(is public, required role) of an endpoint, as the hook sees it."""
    view = app.view_functions[endpoint]
    if endpoint in _OPEN_ENDPOINTS or getattr(view, "public", False):
        return True, None
    return False, getattr(view, "required_role", ADMIN)


def _document(app: Flask, spec: dict) -> None:
    """The OpenAPI document says, per operation, the role needed and the 401/403/429 answers."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}}
    answers = {
        "401": "No, unknown or revoked API key",
        "403": "The key lacks the role",
        "429": "Over the key's rate limit or character quota (see Retry-After)",
    }
    for rule in app.url_map.iter_rules():
        is_public, role = endpoint_role(app, rule.endpoint)
        path = _openapi_path(rule.rule)
        operations = spec.get("paths", {}).get(path, {})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = operations.get(method.lower())
            if operation is None:
                continue
            if is_public:
                operation["security"] = []
                continue
            operation["security"] = [{SECURITY_SCHEME: [role] if role else []}]
            operation["description"] = (
                operation.get("description", "")
                + "\n\n"
                + (
                    f"Requires the role `{role}` (admin keys have every role)."
                    if role
                    else "Requires any valid API key."
                )
            ).strip()
            for status, description in answers.items():
                if status == "403" and role is None:
                    continue
                operation.setdefault("responses", {}).setdefault(
                    status, {"description": description, "content": problem}
                )


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
