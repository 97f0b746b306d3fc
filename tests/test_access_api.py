"""Access control over HTTP on a real Redis (no worker): isolation between
tenants, the audit trail, glossary authors, character quotas, key management
(endpoints and CLI), and keys never shown after creation."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from access import ADMIN, GLOSSARY_READ, GLOSSARY_WRITE, TRANSLATE, KeyStore
from service.auth import LOCAL_KEY
from tests.helpers import WEBHOOK_SECRET, job_body, keyed_client


@pytest.fixture()
def app(make_app):
    return make_app(6, max_glossaries=2, webhook_secret=WEBHOOK_SECRET)  # keys' own webhook secrets derive from it


def client_for(app, roles, tenant=None, **options):
    options = {"tenant": tenant, **options} if tenant else options
    return keyed_client(app, roles, name=f"{'+'.join(roles)} of {tenant}", **options)


def test_a_key_cannot_read_cancel_or_list_another_tenants_job(app):
    alice, bob = client_for(app, [TRANSLATE], "desk-a"), client_for(app, [TRANSLATE], "desk-b")
    colleague = client_for(app, [TRANSLATE], "desk-a")
    admin = client_for(app, [ADMIN], "ops")
    job = alice.post("/v1/jobs", json=job_body()).get_json()
    assert job["owner"] == {"key": alice.api_key.key.prefix, "tenant": "desk-a"}

    unknown = bob.get("/v1/jobs/no-such-job").get_json()
    for response in (
        bob.get(f"/v1/jobs/{job['id']}"),
        bob.delete(f"/v1/jobs/{job['id']}"),
        bob.get(f"/v1/jobs/{job['id']}/translations/de"),
    ):
        assert response.status_code == 404
        body = response.get_json()
        # The same answer as for a job that does not exist: the id tells nothing.
        assert body["type"] == unknown["type"] and body["title"] == unknown["title"]
    assert bob.get("/v1/jobs").get_json()["items"] == []
    assert bob.get("/v1/jobs?tenant=desk-a").status_code == 403

    assert [j["id"] for j in alice.get("/v1/jobs").get_json()["items"]] == [job["id"]]
    assert colleague.get(f"/v1/jobs/{job['id']}").status_code == 200  # same tenant
    assert admin.get(f"/v1/jobs/{job['id']}").status_code == 200
    assert [j["id"] for j in admin.get("/v1/jobs").get_json()["items"]] == [job["id"]]
    assert admin.get("/v1/jobs?tenant=desk-b").get_json()["total"] == 0
    assert alice.get(f"/v1/jobs/{job['id']}").get_json()["state"] == "queued"  # bob's DELETE cancelled nothing
    assert colleague.delete(f"/v1/jobs/{job['id']}").get_json()["state"] == "cancelled"


def test_articles_by_external_id_are_per_tenant(app):
    jobs = app.extensions["newsroom"].jobs
    alice, bob = client_for(app, [TRANSLATE], "desk-a"), client_for(app, [TRANSLATE], "desk-b")
    first = alice.post("/v1/jobs", json=job_body(external_id="cms-9001")).get_json()
    # Bob's revisions of the same external_id are counted apart, and cannot replace Alice's.
    theirs = bob.post("/v1/jobs", json=job_body(external_id="cms-9001")).get_json()
    assert first["revision"] == 1 and theirs["revision"] == 1
    for job, _client in ((first, alice), (theirs, bob)):
        claim = jobs.leases.claim(job["id"], "de")
        assert claim.claimed
        jobs.leases.succeed(
            job["id"], "de", claim.holder, {"title": job["id"], "body": "", "format": "text", "model": []}, None, {}
        )
        jobs.articles.publish("cms-9001", "de", 1, job["id"], job["owner"]["tenant"])
    assert alice.get("/v1/articles/cms-9001/de").get_json()["job_id"] == first["id"]
    assert bob.get("/v1/articles/cms-9001/de").get_json()["job_id"] == theirs["id"]
    assert client_for(app, [TRANSLATE], "desk-c").get("/v1/articles/cms-9001/de").status_code == 404


def test_glossary_versions_carry_their_author_and_the_audit_trail_lists_actions(app):
    writer = client_for(app, [GLOSSARY_WRITE], "desk-a")
    editor = client_for(app, [GLOSSARY_WRITE], "desk-b")
    reader = client_for(app, [GLOSSARY_READ], "desk-c")
    admin = client_for(app, [ADMIN], "ops")
    created = writer.post("/v1/glossaries", json={"name": "house style", "source_lang": "en"})
    glossary = created.get_json()
    assert glossary["author"] == {"key": writer.api_key.key.prefix, "name": "glossary:write of desk-a"}
    edited = editor.post(
        f"/v1/glossaries/{glossary['id']}/entries",
        headers={"If-Match": created.headers["ETag"]},
        json={"term": "Kyiv", "translations": {"de": "Kyjiw"}},
    )
    assert edited.get_json()["author"]["key"] == editor.api_key.key.prefix

    versions = reader.get(f"/v1/glossaries/{glossary['id']}/versions").get_json()
    assert [(v["version"], v["author"]["key"]) for v in versions["items"]] == [
        (2, editor.api_key.key.prefix),
        (1, writer.api_key.key.prefix),
    ]
    assert all(v["updated_at"] for v in versions["items"]) and versions["total"] == 2
    assert (
        reader.get(f"/v1/glossaries/{glossary['id']}/versions/1").get_json()["author"]["key"]
        == writer.api_key.key.prefix
    )

    trail = admin.get(f"/v1/keys/{editor.api_key.key.id}/audit").get_json()
    assert trail["key"] == editor.api_key.key.prefix
    assert [(e["action"], e["status"]) for e in trail["items"]] == [
        (f"POST /v1/glossaries/{glossary['id']}/entries", 201)
    ]
    assert trail["items"][0]["at"].endswith("Z")
    # Reads are not actions; the writer's trail has its one change.
    assert [e["action"] for e in admin.get(f"/v1/keys/{writer.api_key.key.prefix}/audit").get_json()["items"]] == [
        "POST /v1/glossaries"
    ]


def test_glossary_limit_counts_per_tenant(app):
    alice, alice2 = client_for(app, [GLOSSARY_WRITE], "desk-a"), client_for(app, [GLOSSARY_WRITE], "desk-a")
    bob = client_for(app, [GLOSSARY_WRITE], "desk-b")
    payload = {"name": "g", "source_lang": "en"}
    first = alice.post("/v1/glossaries", json=payload)
    assert alice2.post("/v1/glossaries", json=payload).status_code == 201
    refused = alice.post("/v1/glossaries", json=payload)  # max_glossaries=2 for desk-a
    assert refused.status_code == 422 and refused.get_json()["type"].endswith("/limit-exceeded")
    assert "desk-a" in refused.get_json()["detail"]
    assert bob.post("/v1/glossaries", json=payload).status_code == 201  # desk-b is not affected
    # Shared policy: desk-b may read and edit desk-a's glossary; deleting it frees desk-a's slot.
    gid = first.get_json()["id"]
    assert bob.delete(f"/v1/glossaries/{gid}", headers={"If-Match": first.headers["ETag"]}).status_code == 204
    assert alice.post("/v1/glossaries", json=payload).status_code == 201


def test_character_quota_is_charged_per_accepted_job_and_refused_with_retry_after(app):
    client = client_for(app, [TRANSLATE], "desk-q", char_quota="100/day")
    article = {"title": "Quota", "body": "x" * 25}  # 30 characters
    assert client.post("/v1/jobs", json=job_body(article=article, target_langs=["de", "fr"])).status_code == 202
    # An invalid request costs nothing.
    assert client.post("/v1/jobs", json=job_body(article=article, target_langs=["xx"])).status_code == 422
    assert client.get("/v1/usage").get_json()["characters"] == {"limit": "100/day", "remaining": 40}
    refused = client.post("/v1/jobs", json=job_body(article=article, target_langs=["de", "fr"]))
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["type"].endswith("/quota-exceeded") and body["status"] == 429 and "60 characters" in body["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 86400 and body["retry_after"] == int(
        refused.headers["Retry-After"]
    )
    assert client.post("/v1/jobs", json=job_body(article=article)).status_code == 202  # 30 still fit
    assert client.get("/v1/usage").get_json()["characters"]["remaining"] == 10


def test_key_management_endpoints(app):
    admin = client_for(app, [ADMIN], "ops")
    made = admin.post(
        "/v1/keys",
        json={
            "name": "cms",
            "roles": [TRANSLATE, GLOSSARY_READ],
            "tenant": "desk-a",
            "rate_limit": "120/minute",
            "webhook_secret": True,
        },
    )
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    new = made.get_json()
    assert new["key"].startswith(new["prefix"] + "_") and new["webhook_secret"].startswith("whsec_")
    assert new["has_webhook_secret"] is True and new["created_by"] == admin.api_key.key.prefix
    cms = app.test_client()
    cms.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {new['key']}"
    assert cms.get("/v1/usage").get_json()["requests"]["limit"] == "120/minute"

    assert admin.patch(f"/v1/keys/{new['id']}", json={"rate_limit": "5/second"}).get_json()["rate_limit"] == "5/second"
    assert admin.patch(f"/v1/keys/{new['id']}", json={"rate_limit": None}).get_json()["rate_limit"] is None
    bad = admin.patch(f"/v1/keys/{new['id']}", json={"char_quota": "lots"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "char_quota"
    assert admin.post("/v1/keys", json={"name": "x", "roles": ["root"]}).status_code == 422
    assert admin.get("/v1/keys/nt_live_zzzzzzzz").status_code == 404

    rotated = admin.post(f"/v1/keys/{new['prefix']}/rotate").get_json()
    assert rotated["tenant"] == "desk-a" and rotated["roles"] == [TRANSLATE, GLOSSARY_READ]
    assert rotated["rotated_from"] == new["prefix"] and rotated["has_webhook_secret"] is True
    assert rotated["webhook_secret"] is None  # kept, so not shown again
    assert cms.get("/v1/usage").status_code == 401  # the old key is revoked at once
    cms.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {rotated['key']}"
    assert cms.get("/v1/usage").status_code == 200
    assert admin.post(f"/v1/keys/{new['id']}/rotate").status_code == 409

    revoked = admin.delete(f"/v1/keys/{rotated['id']}").get_json()
    assert revoked["revoked"] is True and revoked["revoked_by"] == admin.api_key.key.prefix
    response = cms.get("/v1/usage")
    assert response.status_code == 401 and response.get_json()["type"].endswith("/revoked-api-key")
    listed = {k["prefix"]: k for k in admin.get("/v1/keys").get_json()["items"]}
    assert listed[new["prefix"]]["rotated_to"] == rotated["prefix"] and listed[rotated["prefix"]]["revoked"]


def test_keys_never_appear_in_responses_or_redis_after_creation(app):
    admin = client_for(app, [ADMIN], "ops")
    made = admin.post("/v1/keys", json={"name": "cms", "roles": [ADMIN], "tenant": "desk-a"}).get_json()
    secret = made["key"]
    cms = app.test_client()
    cms.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    job = cms.post("/v1/jobs", json=job_body(external_id="cms-1")).get_json()
    glossary = cms.post("/v1/glossaries", json={"name": "g", "source_lang": "en"}).get_json()
    bodies = [
        cms.get(path).get_data(as_text=True)
        for path in (
            f"/v1/jobs/{job['id']}",
            "/v1/jobs",
            f"/v1/glossaries/{glossary['id']}",
            "/v1/glossaries",
            f"/v1/glossaries/{glossary['id']}/versions",
            "/v1/keys",
            f"/v1/keys/{made['id']}",
            f"/v1/keys/{made['id']}/audit",
            "/v1/usage",
        )
    ]
    bodies.append(cms.get("/v1/usage", headers={"Authorization": f"Bearer {secret[:-1]}X"}).get_data(as_text=True))
    assert all(made["prefix"] in b for b in bodies[:-1])  # the prefix is how keys are shown
    assert not [b for b in bodies if secret in b or secret.split("_")[-1] in b]
    # Redis holds only the hash.
    store = app.extensions["newsroom"].redis
    dump = b"".join(json.dumps({k.decode(): str(store.dump(k))}).encode() for k in store.keys())
    assert secret.encode() not in dump and secret.split("_")[-1].encode() not in dump


def test_cli_create_list_update_revoke_rotate_and_dev_key(app, tmp_path):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "keys",
            "create",
            "--name",
            "desk",
            "--role",
            TRANSLATE,
            "--tenant",
            "desk-a",
            "--char-quota",
            "5000/day",
            "--json",
        ]
    )
    assert created.exit_code == 0, created.output
    new = json.loads(created.output.splitlines()[0])
    store = KeyStore(app.extensions["newsroom"].redis)
    assert store.authenticate(new["key"]).tenant == "desk-a"

    listed = runner.invoke(args=["keys", "list"])
    assert new["prefix"] in listed.output and new["key"] not in listed.output and "5000/day" in listed.output
    assert runner.invoke(args=["keys", "update", new["id"], "--role", GLOSSARY_READ]).exit_code == 0
    assert store.get(new["id"]).roles == (GLOSSARY_READ,)
    rotated = runner.invoke(args=["keys", "rotate", new["prefix"], "--json"])
    replacement = json.loads(rotated.output.splitlines()[0])
    assert replacement["tenant"] == "desk-a" and store.get(new["id"]).revoked
    assert runner.invoke(args=["keys", "revoke", replacement["id"]]).exit_code == 0
    assert store.get(replacement["id"]).revoked_by == "cli"
    assert runner.invoke(args=["keys", "revoke", "nope"]).exit_code != 0
    bad = runner.invoke(args=["keys", "create", "--name", "x", "--role", ADMIN, "--rate-limit", "fast"])
    assert bad.exit_code != 0 and "rate_limit" in bad.output

    path = tmp_path / "var" / "admin.key"
    first = runner.invoke(args=["keys", "dev-key", str(path)])
    assert first.exit_code == 0 and first.output.strip() == path.read_text().strip()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.authenticate(path.read_text().strip()).has_role(ADMIN)
    again = runner.invoke(args=["keys", "dev-key", str(path)])
    assert again.output == first.output  # kept while Redis knows it
    store.revoke(store.authenticate(path.read_text().strip()).id)
    renewed = runner.invoke(args=["keys", "dev-key", str(path)])
    assert renewed.output != first.output and store.authenticate(path.read_text().strip())


def test_auth_disabled_is_explicit_and_logged(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_app(6, auth_disabled=True)
    assert any("AUTH_DISABLED" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    client = app.test_client()
    assert client.get("/v1/keys").status_code == 200
    job = client.post("/v1/jobs", json=job_body()).get_json()
    assert job["owner"] == {"key": LOCAL_KEY.prefix, "tenant": "local"}
