"""Access control on the whole path (real Celery workers): each tenant publishes
and reads its own articles under the same external_id, webhooks are signed
with the submitting key's own secret, and no key reaches the worker logs."""

from __future__ import annotations

import json

import pytest

from access import TRANSLATE
from devtools.webhook_receiver import WebhookReceiver
from jobs.webhooks import SIGNATURE_HEADER, tenant_secret, verify
from tests.helpers import WEBHOOK_SECRET, keyed_client, wait_for_job, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app(stack, make_app):
    return make_app(settings=stack.settings, flush=False)


@pytest.fixture(scope="module")
def secrets_used():
    return []


def tenant_client(app, tenant, secrets_used, **options):
    client = keyed_client(app, [TRANSLATE], name=f"desk {tenant}", tenant=tenant, **options)
    secrets_used.append(client.api_key.secret)
    if client.api_key.webhook_secret:
        secrets_used.append(client.api_key.webhook_secret)
    return client


def submit(client, body: str, **extra) -> dict:
    response = client.post(
        "/v1/jobs",
        json={"source_lang": "en", "target_langs": ["de"], "article": {"title": "Story", "body": body}, **extra},
    )
    assert response.status_code == 202, response.get_json()
    return wait_for_job(client, response.get_json()["id"], timeout=120)


def test_each_tenant_publishes_and_reads_its_own_article(stack, app, secrets_used):
    alice = tenant_client(app, f"a-{stack.kind}", secrets_used)
    bob = tenant_client(app, f"b-{stack.kind}", secrets_used)
    mine = submit(alice, "Alice wrote this about NATO.", external_id="cms-shared")
    theirs = submit(bob, "Bob wrote something else.", external_id="cms-shared")
    assert mine["state"] == theirs["state"] == "succeeded"
    assert mine["revision"] == theirs["revision"] == 1  # counted per tenant
    got_alice = alice.get("/v1/articles/cms-shared/de").get_json()
    got_bob = bob.get("/v1/articles/cms-shared/de").get_json()
    assert got_alice["job_id"] == mine["id"] and got_bob["job_id"] == theirs["id"]
    assert got_alice["body"] == alice.get(f"/v1/jobs/{mine['id']}/translations/de").get_json()["body"]
    assert got_alice["body"] != got_bob["body"]
    # Bob's next revision goes to his own article, never over Alice's.
    assert submit(bob, "Bob corrected his.", external_id="cms-shared")["revision"] == 2
    assert alice.get("/v1/articles/cms-shared/de").get_json()["job_id"] == mine["id"]


def test_webhooks_are_signed_with_the_keys_own_secret(stack, app, secrets_used):
    if stack.kind != "identity":
        pytest.skip("signing does not depend on the model")
    receiver = WebhookReceiver("/hooks")
    try:
        own = tenant_client(app, "hooks-own", secrets_used, webhook_secret=True)
        plain = tenant_client(app, "hooks-plain", secrets_used)
        signed_own = submit(own, "One paragraph.", callback_url=receiver.url)
        signed_global = submit(plain, "Another paragraph.", callback_url=receiver.url)
        wait_until(lambda: len(receiver.requests) == 4, 60, what="four webhook events")
        by_job = {}
        for headers, body in receiver.requests:
            by_job.setdefault(json.loads(body)["job_id"], []).append((headers[SIGNATURE_HEADER], body))
        secret = own.api_key.webhook_secret
        url = receiver.url
        for signature, body in by_job[signed_own["id"]]:
            assert verify(secret, body, signature, url) and not verify(WEBHOOK_SECRET, body, signature, url)
        for signature, body in by_job[signed_global["id"]]:
            # Signed with the tenant's secret derived from WEBHOOK_SECRET, not with WEBHOOK_SECRET itself.
            assert verify(tenant_secret(WEBHOOK_SECRET, "hooks-plain"), body, signature, url)
            assert not verify(WEBHOOK_SECRET, body, signature, url) and not verify(secret, body, signature, url)
        assert all(secret.encode() not in body for _, body in receiver.requests)
    finally:
        receiver.close()


def test_no_key_appears_in_the_worker_logs(stack, app, secrets_used):
    # A job of its own, so that the test checks something when it runs alone (or on another xdist worker
    # than the tests before it); the keys of those tests are checked too when they ran here.
    submit(tenant_client(app, f"logs-{stack.kind}", secrets_used, webhook_secret=True), "A logged paragraph.")
    logs = "".join(path.read_text(errors="replace") for path in stack.log_dir.rglob("*") if path.is_file())
    assert "translate_language" in logs  # the worker logged the tasks of this module
    assert secrets_used
    for secret in secrets_used:
        random_part = secret.removeprefix("whsec_").split("_")[-1] if secret.startswith("nt_") else secret[6:]
        assert secret not in logs and random_part not in logs
