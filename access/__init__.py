"""Access control, with no Flask in it: API keys and roles (`access.keys`),
per-key rate limits and character quotas on Redis (`access.quotas`), and the
audit trail of what each key did (`access.audit`).

The HTTP side (`service/auth.py`) finds the key in a request, and calls
`KeyStore.authenticate`, `ApiKey.has_role`, `Quotas.request` and
`AuditLog.record`; any other front end (the compatibility endpoints, a
console, the CLI) calls the same functions.
"""

from access.audit import AuditLog
from access.keys import (
    ADMIN,
    GLOSSARY_READ,
    GLOSSARY_WRITE,
    REVIEW,
    ROLES,
    TRANSLATE,
    ApiKey,
    InvalidKeySpec,
    KeyNotFound,
    KeyStore,
    NewKey,
    RevokedKey,
    UnknownKey,
    effective_roles,
)
from access.quotas import UNLIMITED, InvalidLimit, Quotas, Verdict, parse_limit

__all__ = [
    "ADMIN",
    "GLOSSARY_READ",
    "GLOSSARY_WRITE",
    "ROLES",
    "TRANSLATE",
    "ApiKey",
    "AuditLog",
    "InvalidKeySpec",
    "InvalidLimit",
    "KeyNotFound",
    "KeyStore",
    "NewKey",
    "Quotas",
    "REVIEW",
    "RevokedKey",
    "UNLIMITED",
    "UnknownKey",
    "Verdict",
    "effective_roles",
    "parse_limit",
]
