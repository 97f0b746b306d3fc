"""The key store, limits and audit log on their own (fakeredis; no HTTP)."""

from __future__ import annotations

import hashlib

import fakeredis
import pytest

from access import (
    ADMIN,
    GLOSSARY_READ,
    GLOSSARY_WRITE,
    REVIEW,
    TRANSLATE,
    AuditLog,
    InvalidKeySpec,
    InvalidLimit,
    KeyNotFound,
    KeyStore,
    RevokedKey,
    UnknownKey,
    effective_roles,
    parse_limit,
)
from access.keys import KEY_PATTERN


@pytest.fixture()
def store():
    return KeyStore(fakeredis.FakeRedis(), webhook_master="m" * 32)


def test_a_new_key_is_long_random_and_stored_only_as_its_hash(store):
    new = store.create("cms", [TRANSLATE])
    match = KEY_PATTERN.fullmatch(new.secret)
    assert match and match.group(1) == new.key.id and new.secret.startswith(new.key.prefix + "_")
    assert len(match.group(2)) == 40
    record = store.redis.hgetall(f"apikey:{new.key.id}")
    assert record[b"hash"] == hashlib.sha256(new.secret.encode()).hexdigest().encode()
    assert not any(new.secret.encode() in v or match.group(2).encode() in v for v in record.values())
    assert new.key.tenant == new.key.id  # alone in its own tenant by default
    assert store.create("cms", [TRANSLATE]).secret != new.secret


def test_authenticate_tells_unknown_from_revoked_only_for_the_right_secret(store):
    new = store.create("cms", [TRANSLATE], tenant="desk-a")
    assert store.authenticate(new.secret).tenant == "desk-a"
    for wrong in (
        None,
        "",
        "Bearer x",
        new.secret[:-1],
        new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B"),
        new.key.prefix,
        "nt_live_zzzzzzzz_" + "a" * 40,
    ):
        with pytest.raises(UnknownKey):
            store.authenticate(wrong)
    store.revoke(new.key.prefix, by="test")
    with pytest.raises(RevokedKey):
        store.authenticate(new.secret)
    with pytest.raises(UnknownKey):  # a wrong secret for a revoked key says nothing about revocation
        store.authenticate(new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B"))


def test_roles_imply_others():
    assert effective_roles([ADMIN]) == {ADMIN, TRANSLATE, GLOSSARY_READ, GLOSSARY_WRITE, REVIEW}
    assert effective_roles([REVIEW]) == {REVIEW}  # approving is its own grant; editors translate
    assert effective_roles([GLOSSARY_WRITE]) == {GLOSSARY_WRITE, GLOSSARY_READ}
    assert effective_roles([TRANSLATE]) == {TRANSLATE}


@pytest.mark.parametrize(
    "spec, field",
    [
        ({"name": "", "roles": [TRANSLATE]}, "name"),
        ({"name": "x", "roles": []}, "roles"),
        ({"name": "x", "roles": ["root"]}, "roles"),
        ({"name": "x", "roles": [TRANSLATE], "tenant": "a:b"}, "tenant"),
        ({"name": "x", "roles": [TRANSLATE], "rate_limit": "fast"}, "rate_limit"),
        ({"name": "x", "roles": [TRANSLATE], "char_quota": "0/day"}, "char_quota"),
    ],
)
def test_invalid_specs_name_the_field_and_store_nothing(store, spec, field):
    with pytest.raises(InvalidKeySpec) as error:
        store.create(**spec)
    assert error.value.field == field
    assert store.redis.dbsize() == 0


def test_rotate_keeps_tenant_roles_limits_and_webhook_secret(store):
    old = store.create("cms", [TRANSLATE, GLOSSARY_READ], "desk-a", "10/minute", "500/day", webhook_secret=True)
    new = store.rotate(old.key.id, by="ops")
    assert (new.key.tenant, new.key.roles, new.key.rate_limit, new.key.char_quota) == (
        "desk-a",
        (TRANSLATE, GLOSSARY_READ),
        "10/minute",
        "500/day",
    )
    assert store.webhook_secret(new.key.id) == old.webhook_secret and new.webhook_secret is None
    assert store.get(old.key.id).revoked and store.get(old.key.id).rotated_to == new.key.id
    assert store.authenticate(new.secret).rotated_from == old.key.id
    with pytest.raises(InvalidKeySpec):
        store.rotate(old.key.id)
    with pytest.raises(KeyNotFound):
        store.get("nt_live_nothere0")


def test_limits_are_parsed_in_the_limits_notation():
    assert parse_limit("unlimited") is None
    assert parse_limit("600/minute").amount == 600
    assert parse_limit("3 per 2 seconds").get_expiry() == 2
    for bad in ("", "fast", "-1/day", "0/minute"):
        with pytest.raises(InvalidLimit):
            parse_limit(bad)


def test_audit_log_is_capped_and_newest_first():
    log = AuditLog(fakeredis.FakeRedis(), max_entries=3)
    for n in range(5):
        log.record("k1", f"POST /v1/things/{n}", status=201)
    assert [e["action"] for e in log.recent("k1")] == [f"POST /v1/things/{n}" for n in (4, 3, 2)]
    assert log.recent("k1", 1)[0]["at"].endswith("Z") and log.recent("k2") == []
