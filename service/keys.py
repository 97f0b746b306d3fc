"""/v1/keys: API key management for admins (create, list, change, revoke,
rotate, audit trail); /v1/usage: what the calling key may still do."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import url_for

from access import ADMIN, InvalidKeySpec, KeyNotFound
from service.auth import ANY_KEY, access, current_key, requires
from service.problems import Problem, unprocessable
from service.schemas import AuditOut, AuditQuery, KeyIn, KeyList, KeyOut, KeyPatch, NewKeyOut, UsageOut

bp = APIBlueprint("keys", __name__, url_prefix="/v1/keys", tag="Keys")
usage_bp = APIBlueprint("usage", __name__, url_prefix="/v1/usage", tag="Keys")


def _get(key_id: str):
    try:
        return access().keys.get(key_id)
    except KeyNotFound:
        raise Problem(404, "key-not-found", "Key not found", f"There is no API key {key_id!r}.")


def _invalid(error: InvalidKeySpec) -> Problem:
    return unprocessable(error.field, error.message)


def _new_key(new, status: int = 201):
    body = {**new.key.to_dict(), "key": new.secret, "webhook_secret": new.webhook_secret}
    return body, status, {"Location": url_for("keys.get_key", key_id=new.key.id), "Cache-Control": "no-store"}


@bp.post("")
@requires(ADMIN)
@bp.input(KeyIn, arg_name="spec")
@bp.output(NewKeyOut, status_code=201)
@bp.doc(summary="Create an API key (its secret is in this response only)", responses=[201, 422])
def create_key(spec: dict):
    try:
        new = access().keys.create(
            spec["name"],
            spec["roles"],
            spec.get("tenant"),
            spec.get("rate_limit") or "",
            spec.get("char_quota") or "",
            spec["webhook_secret"],
            created_by=current_key().prefix,
        )
    except InvalidKeySpec as error:
        raise _invalid(error)
    return _new_key(new)


@bp.get("")
@requires(ADMIN)
@bp.output(KeyList)
@bp.doc(summary="Every API key, revoked ones included (no secrets)")
def list_keys():
    keys = access().keys.list()
    return {"items": [k.to_dict() for k in keys], "total": len(keys)}


@bp.get("/<key_id>")
@requires(ADMIN)
@bp.output(KeyOut)
@bp.doc(summary="One API key, by id or prefix", responses=[200, 404])
def get_key(key_id: str):
    return _get(key_id).to_dict()


@bp.patch("/<key_id>")
@requires(ADMIN)
@bp.input(KeyPatch, arg_name="changes")
@bp.output(KeyOut)
@bp.doc(summary="Change a key's name, roles or limits (null: back to the default limit)", responses=[200, 404, 422])
def update_key(key_id: str, changes: dict):
    key = _get(key_id)
    limits = {name: (changes[name] or "") for name in ("rate_limit", "char_quota") if name in changes}
    try:
        return access().keys.update(key.id, name=changes.get("name"), roles=changes.get("roles"), **limits).to_dict()
    except InvalidKeySpec as error:
        raise _invalid(error)


@bp.delete("/<key_id>")
@requires(ADMIN)
@bp.output(KeyOut)
@bp.doc(summary="Revoke a key: refused from now on by every API process", responses=[200, 404])
def revoke_key(key_id: str):
    return access().keys.revoke(_get(key_id).id, by=current_key().prefix).to_dict()


@bp.post("/<key_id>/rotate")
@requires(ADMIN)
@bp.output(NewKeyOut, status_code=201)
@bp.doc(
    summary="Replace a key by a new one with the same tenant, roles and limits; the old one is revoked",
    responses=[201, 404, 409],
)
def rotate_key(key_id: str):
    key = _get(key_id)
    try:
        new = access().keys.rotate(key.id, by=current_key().prefix)
    except InvalidKeySpec as error:
        raise Problem(409, "key-revoked", "Key already revoked", error.message)
    return _new_key(new)


@bp.get("/<key_id>/audit")
@requires(ADMIN)
@bp.input(AuditQuery, location="query", arg_name="query")
@bp.output(AuditOut)
@bp.doc(summary="The key's recent actions (every change it made), newest first", responses=[200, 404])
def key_audit(key_id: str, query: dict):
    key = _get(key_id)
    return {"key": key.prefix, "items": access().audit.recent(key.id, query["limit"])}


@usage_bp.get("")
@requires(ANY_KEY)
@usage_bp.output(UsageOut)
@usage_bp.doc(summary="The calling key: its roles, limits and what is left of them")
def usage():
    key = current_key()
    return {"key": key.to_dict(), **access().quotas.usage(key)}
