"""`flask --app service keys …`: API key management from the command line.

Works on the same Redis as the API (REDIS_URL), without an API key: whoever
can run this can read Redis anyway.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from access import ADMIN, ROLES, InvalidKeySpec, KeyNotFound, RevokedKey, UnknownKey
from conventions import printable
from service.auth import access

keys_cli = AppGroup("keys", help="Create, list, change, revoke and rotate API keys.")

_ROLE = click.Choice(ROLES)


def _show(key: dict) -> str:
    flags = " REVOKED" if key["revoked"] else ""
    limits = f"rate {key['rate_limit'] or 'default'}, chars {key['char_quota'] or 'default'}"
    return printable(
        f"{key['prefix']}  {key['name']!r}  tenant={key['tenant']}  roles={','.join(key['roles'])}  {limits}{flags}"
    )


def _fail(error: Exception) -> None:
    raise click.ClickException(str(error) if not isinstance(error, KeyNotFound) else f"no such key: {error}")


def _print_new(new, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({**new.key.to_dict(), "key": new.secret, "webhook_secret": new.webhook_secret}))
        return
    click.echo(_show(new.key.to_dict()))
    click.echo(f"key: {new.secret}")
    if new.webhook_secret:
        click.echo(f"webhook secret: {new.webhook_secret}")
    click.echo("Store it now: it is not shown again.", err=True)


@keys_cli.command("create")
@click.option("--name", required=True, help="Who or what uses the key (a desk, a CMS).")
@click.option("--role", "roles", multiple=True, required=True, type=_ROLE, help="Repeat for several roles.")
@click.option("--tenant", help="Jobs and articles are shared within a tenant; default: the key's own id.")
@click.option("--rate-limit", default="", help="e.g. '120/minute' or 'unlimited'; default: RATE_LIMIT.")
@click.option("--char-quota", default="", help="e.g. '200000/day' or 'unlimited'; default: CHAR_QUOTA.")
@click.option("--webhook-secret", is_flag=True, help="Sign this key's webhook events with a secret of its own.")
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
def create(name, roles, tenant, rate_limit, char_quota, webhook_secret, as_json):
    """Create a key and print it (once)."""
    try:
        new = access().keys.create(name, roles, tenant, rate_limit, char_quota, webhook_secret, created_by="cli")
    except InvalidKeySpec as error:
        _fail(error)
    _print_new(new, as_json)


@keys_cli.command("list")
@click.option("--active", is_flag=True, help="Leave out revoked keys.")
@click.option("--json", "as_json", is_flag=True)
def list_keys(active, as_json):
    """Every key (prefix, name, tenant, roles, limits); never a secret."""
    keys = [k.to_dict() for k in access().keys.list(include_revoked=not active)]
    for key in keys:
        click.echo(json.dumps(key) if as_json else _show(key))


@keys_cli.command("update")
@click.argument("key_id")
@click.option("--name")
@click.option("--role", "roles", multiple=True, type=_ROLE, help="Replaces the roles; repeat for several.")
@click.option("--rate-limit", help="'' puts it back to the default.")
@click.option("--char-quota", help="'' puts it back to the default.")
def update(key_id, name, roles, rate_limit, char_quota):
    """Change a key's name, roles or limits."""
    try:
        key = access().keys.update(key_id, name=name, roles=roles or None, rate_limit=rate_limit, char_quota=char_quota)
    except (InvalidKeySpec, KeyNotFound) as error:
        _fail(error)
    click.echo(_show(key.to_dict()))


@keys_cli.command("revoke")
@click.argument("key_id")
def revoke(key_id):
    """Revoke a key (by id or prefix); refused at once by every API process."""
    try:
        key = access().keys.revoke(key_id, by="cli")
    except KeyNotFound as error:
        _fail(error)
    click.echo(_show(key.to_dict()))


@keys_cli.command("rotate")
@click.argument("key_id")
@click.option("--json", "as_json", is_flag=True)
def rotate(key_id, as_json):
    """Replace a key by a new one (same tenant, roles, limits, webhook secret); revoke the old one."""
    try:
        new = access().keys.rotate(key_id, by="cli")
    except (InvalidKeySpec, KeyNotFound) as error:
        _fail(error)
    _print_new(new, as_json)


@keys_cli.command("audit")
@click.argument("key_id")
@click.option("--limit", default=20, show_default=True)
def audit(key_id, limit):
    """The key's recent actions, newest first."""
    try:
        key = access().keys.get(key_id)
    except KeyNotFound as error:
        _fail(error)
    for entry in access().audit.recent(key.id, limit):
        # The action holds the request path as the client sent it, escape sequences included.
        click.echo(printable(f"{entry['at']}  {entry['action']}  -> {entry.get('status')}"))


@keys_cli.command("webhook-secret")
@click.argument("tenant")
def webhook_secret(tenant):
    """The secret TENANT's webhook events are signed with (keys without a secret of their
    own), derived from WEBHOOK_SECRET: give it to that tenant's CMS, and no other."""
    from flask import current_app

    from jobs.webhooks import tenant_secret

    shared = current_app.extensions["newsroom"].settings.webhook_secret
    if not shared:
        raise click.ClickException("WEBHOOK_SECRET is not set: only keys with a secret of their own sign events")
    click.echo(tenant_secret(shared, tenant))


@keys_cli.command("dev-key")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def dev_key(path: Path):
    """The local admin key in PATH: kept if it still works, else a new one (file mode 600). Prints it."""
    store = access().keys
    if path.exists():
        try:
            key = store.authenticate(path.read_text().strip())
            if key.has_role(ADMIN):
                click.echo(path.read_text().strip())
                return
        except (UnknownKey, RevokedKey):
            pass  # Redis was emptied or the key revoked: make a new one
    new = store.create(
        "local admin (make up)", [ADMIN], rate_limit="unlimited", char_quota="unlimited", created_by="cli"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with mode 600 from the start: never readable by others, not even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(new.secret + "\n")
    os.chmod(path, 0o600)
    click.echo(new.secret)
