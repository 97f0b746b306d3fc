"""Webhook events to the CMS: signed, checked before sending, retried with backoff.

Signature (Stripe's scheme, with the destination signed too):
    X-Newsroom-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256(secret, "<t>.<callback URL>.<raw body>")>
A receiver recomputes the HMAC over the timestamp, the callback URL exactly as
it was given in the job, and the raw body; compares in constant time; and
rejects timestamps older than a few minutes. Signing the URL binds an event to
its destination: an event captured on its way to one endpoint (for a job whose
callback_url an attacker chose) does not verify at another within the window.
(v1, which signed only "<t>.<body>", could be replayed so and is not sent.)

Secrets: a key made with a webhook secret of its own signs with it; every
other job is signed with its tenant's secret, derived from WEBHOOK_SECRET
(`tenant_secret`: HKDF-SHA256, RFC 5869, info "newsroom-webhook-tenant:<tenant>"),
never with WEBHOOK_SECRET itself. With one shared secret, any tenant could have
validly signed events sent to another tenant's CMS (its callback URL and
external_id are easy to guess): signing the URL did not stop that, a secret per
tenant does. `flask keys webhook-secret TENANT` prints a tenant's secret for its CMS.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import httpx

from conventions import derived_secret
from jobs.record import JobRequest
from jobs.store import JobStore, now

SIGNATURE_HEADER = "X-Newsroom-Signature"
EVENT_HEADER = "X-Newsroom-Event"

# Cloud metadata endpoints are link-local or special; named here so the refusal says why.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and
# RFC 8215): a translator in the path turns 64:ff9b::7f00:1 into 127.0.0.1.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class UnsafeCallbackURL(ValueError):
    """The URL must not be called: final, never retried."""


class CallbackUnresolved(UnsafeCallbackURL):
    """The host does not resolve (now): refused at submission, retried at delivery."""


@dataclass(frozen=True)
class CallbackTarget:
    """A callback URL with the addresses it was checked against: the delivery
    connects to exactly these, so DNS cannot answer differently between the
    check and the connection (DNS rebinding)."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


SIGNATURE_VERSION = "v2"
_TENANT_INFO = "newsroom-webhook-tenant:"


def tenant_secret(shared_secret: str, tenant: str) -> str:
    """The secret `tenant`'s events are signed with: HKDF-SHA256 (RFC 5869) of the
    shared secret, no salt, info "newsroom-webhook-tenant:<tenant>", 32 bytes, as
    "whsec_" + hex. One tenant's secret says nothing about another's."""
    return derived_secret(shared_secret, _TENANT_INFO + tenant)


def _digest(secret: str, timestamp: int, url: str, body: bytes) -> str:
    message = f"{timestamp}.{url}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, url: str, timestamp: int | None = None) -> str:
    """The signature header for `body` sent to `url`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},{SIGNATURE_VERSION}={_digest(secret, timestamp, url, body)}"


def verify(
    secret: str, body: bytes, header: str, url: str, tolerance_seconds: int = 300, now: float | None = None
) -> bool:
    """What a receiver does at `url` (its callback URL as registered); used by
    the tests, and the README shows the same code for receivers."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(_digest(secret, timestamp, url, body), parts.get(SIGNATURE_VERSION, ""))


def allowed(host: str, port: int, scheme: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Is host:port on the allow-list? Entries are `host:port`, `host:*` (any
    port) or a bare `host` (the scheme's default port only)."""
    default_port = 443 if scheme == "https" else 80
    for entry in allowed_hosts:
        entry = entry.strip().lower()
        any_port = entry.endswith(":*")
        parts = urlsplit("//" + (entry[:-2] if any_port else entry))
        try:
            entry_port = parts.port
        except ValueError:
            continue  # not host[:port]: matches nothing
        if parts.hostname == host.lower() and (any_port or (entry_port or default_port) == port):
            return True
    return False


def resolve_callback(url: str, allowed_hosts: tuple[str, ...] = ()) -> CallbackTarget:
    """Refuse URLs that would make the service call into its own network (SSRF).

    Every address the host resolves to must be public, unless host and port
    are on the allow-list. Called at submission and again before every
    delivery, since DNS answers can change in between; the delivery then
    connects to the addresses checked here.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeCallbackURL("callback_url must be an absolute http or https URL")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeCallbackURL("callback_url has an invalid port")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise CallbackUnresolved(f"callback host {host!r} does not resolve ({error})")
    addresses = tuple(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))
    if not allowed(host, port, parts.scheme, allowed_hosts):
        for text in addresses:
            address = ipaddress.ip_address(text)
            if address in _METADATA:
                raise UnsafeCallbackURL(f"callback host {host!r} is a cloud metadata address")
            if not _public(address):
                raise UnsafeCallbackURL(
                    f"callback host {host!r} resolves to the non-public address {address} "
                    "(loopback, private, link-local or reserved); allow it with WEBHOOK_ALLOWED_HOSTS"
                )
    return CallbackTarget(url, host, port, addresses)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through a translation or tunnel, if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:  # 2002:7f00:1:: is 127.0.0.1 through a 6to4 relay
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A unicast address on the public internet, also through the IPv4 address it embeds.

    `is_global` alone lets through multicast (224.0.0.1 is "global" to Python) and
    the NAT64 and 6to4 prefixes, which are global themselves but lead to whatever
    IPv4 address they carry, loopback included."""
    if address.is_multicast or not address.is_global:
        return False
    embedded = _embedded_ipv4(address) if address.version == 6 else None
    return embedded is None or (embedded.is_global and not embedded.is_multicast)


def check_callback_url(url: str, allowed_hosts: tuple[str, ...] = ()) -> None:
    resolve_callback(url, allowed_hosts)


def deliver(url: str, event: dict, secret: str, allowed_hosts: tuple[str, ...], timeout: float = 10.0) -> int:
    """POST one event; returns the HTTP status. Raises on refusal or transport error."""
    target = resolve_callback(url, allowed_hosts)
    body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
    original = httpx.URL(url)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, url),
        EVENT_HEADER: event["type"],
        "User-Agent": "newsroom-translate-webhooks/1.0",
        # The request goes to a checked address; the receiver still sees its own
        # name in Host, and TLS still sends it (SNI) and verifies it.
        "Host": original.netloc.decode("ascii").rsplit("@", 1)[-1],
    }
    error: httpx.HTTPError | None = None
    # trust_env=False: a proxy from the environment would connect elsewhere.
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for address in target.addresses:
            try:
                # Redirects are not followed: a redirect could lead to an address the check refused.
                response = client.post(
                    original.copy_with(host=address),
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": target.host},
                )
                return response.status_code
            except httpx.ConnectError as failed:  # try the host's next checked address
                error = failed
    raise error or httpx.ConnectError(f"no address for {target.host!r}")


@dataclass(frozen=True)
class WebhookPolicy:
    """How deliveries are signed, allowed and retried.

    A job submitted with a key that has its own webhook secret is signed with
    that secret (`key_secret(key id)`, e.g. access.KeyStore.webhook_secret), so
    a client verifies only its own events; other jobs with their tenant's secret,
    derived from the global `secret` (`tenant_secret`).
    """

    secret: str
    allowed_hosts: tuple[str, ...] = ()
    max_attempts: int = 5
    backoff_seconds: int = 2
    key_secret: Callable[[str], str | None] | None = None

    @classmethod
    def from_settings(cls, settings, key_secret: Callable[[str], str | None] | None = None) -> "WebhookPolicy":
        return cls(
            settings.webhook_secret,
            settings.webhook_allowed_hosts,
            settings.webhook_max_attempts,
            settings.webhook_backoff_seconds,
            key_secret,
        )

    def secret_for(self, request: JobRequest) -> str:
        owner = request.owner.key if request.owner else None
        own = self.key_secret(owner) if owner and self.key_secret else None
        tenant = request.owner.tenant if request.owner else None
        return own or tenant_secret(self.secret, tenant or "")


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # delivered | retrying | failed | refused
    retry_in: int | None = None  # seconds until the next attempt, when retrying


def attempt_delivery(
    jobs: JobStore, job_id: str, event: dict, attempt: int, policy: WebhookPolicy, send=deliver
) -> DeliveryOutcome:
    """One delivery attempt, recorded on the job: the state machine of a webhook.

    A refused URL is final; a transport error, a DNS failure or a non-2xx
    answer is retried with exponential backoff until `max_attempts`, and the
    last one is `failed`.
    """
    request = jobs.request(job_id)
    url = request.callback_url
    record = {"event": event["id"], "type": event["type"], "attempts": attempt, "created_at": now()}
    try:
        status = send(url, event, policy.secret_for(request), policy.allowed_hosts)
    except CallbackUnresolved as unresolved:  # DNS may answer again later: retried like a network error
        status, problem = None, str(unresolved)
    except UnsafeCallbackURL as refused:
        jobs.webhooks.record(job_id, event["id"], {**record, "state": "refused", "error": str(refused)})
        return DeliveryOutcome("refused")
    except httpx.HTTPError as error:
        status, problem = None, f"{type(error).__name__}: {error}"
    else:
        problem = None if 200 <= status < 300 else f"receiver answered {status}"
    if problem is None:
        jobs.webhooks.record(job_id, event["id"], {**record, "state": "delivered", "status": status})
        return DeliveryOutcome("delivered")
    if attempt >= policy.max_attempts:
        jobs.webhooks.record(job_id, event["id"], {**record, "state": "failed", "status": status, "error": problem})
        return DeliveryOutcome("failed")
    jobs.webhooks.record(job_id, event["id"], {**record, "state": "retrying", "status": status, "error": problem})
    return DeliveryOutcome("retrying", retry_in=policy.backoff_seconds * 2 ** (attempt - 1))
