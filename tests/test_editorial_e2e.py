"""The editorial loop on the real stack (Redis, Celery worker processes, the
identity test model): an edit with a 412 for the concurrent one, an approval
announced by a signed webhook and publishing the revision, a later job reusing
the correction as `memory`, an XLIFF export changed with translate-toolkit and
imported back, a TMX import used by the next job, and nothing of tenant A
visible to tenant B."""

from __future__ import annotations

import json
import time

import pytest
from translate.storage import tmx, xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G

from access import REVIEW, TRANSLATE
from devtools.webhook_receiver import WebhookReceiver
from jobs.webhooks import SIGNATURE_HEADER, tenant_secret, verify
from tests.helpers import WEBHOOK_SECRET, assert_problem, keyed_client, wait_for_job, wait_until

pytestmark = pytest.mark.e2e

# The identity model gives the source back: what the model wrote and what an editor wrote are told apart.
identity_only = pytest.mark.parametrize("stack", ["identity"], indirect=True)


@pytest.fixture(scope="module")
def api(stack, make_app):
    return make_app(settings=stack.settings, flush=False)


@pytest.fixture(scope="module")
def receiver():
    r = WebhookReceiver("/hooks/editorial")
    yield r
    r.close()


def submit(client, article: dict, **extra) -> dict:
    response = client.post("/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], "article": article, **extra})
    assert response.status_code == 202, response.get_json()
    return wait_for_job(client, response.get_json()["id"], timeout=120)


def segments(client, job_id: str) -> tuple[dict, str]:
    response = client.get(f"/v1/jobs/{job_id}/translations/de/segments")
    assert response.status_code == 200, response.get_json()
    return response.get_json(), response.headers["ETag"]


@identity_only
def test_edit_approve_announce_publish_and_reuse(stack, api, receiver):
    tenant = f"desk{time.time_ns()}"
    editor = keyed_client(api, roles=(TRANSLATE,), tenant=tenant, name="Ed Itor")
    reviewer = keyed_client(api, roles=(TRANSLATE, REVIEW), tenant=tenant, name="Rae Viewer")
    outsider = keyed_client(api, roles=(TRANSLATE, REVIEW), tenant=f"other{time.time_ns()}", name="Other")
    article = {
        "title": "Summit",
        "format": "html",
        "body": "<p>Leaders met in <strong>Vilnius</strong> on Tuesday. They signed the accord.</p>",
    }
    external_id = f"story-{tenant}"
    status = submit(editor, article, external_id=external_id, publish="on_approval", callback_url=receiver.url)
    job_id = status["id"]
    assert status["state"] == "succeeded" and status["languages"]["de"]["review"]["state"] == "machine"
    # Waiting for approval: not published, no translation.succeeded event (job.finished is).
    assert editor.get(f"/v1/articles/{external_id}/de").status_code == 404

    document, etag = segments(editor, job_id)
    first = next(s for s in document["segments"] if s["source"].startswith("Leaders"))
    assert first["provenance"]["kind"] == "machine" and first["target"] == first["source"]
    correction = "Die Staatschefs trafen sich am Dienstag in Vilnius."
    at = correction.index("Vilnius")
    edited = editor.patch(
        f"/v1/jobs/{job_id}/translations/de/segments/{first['id']}",
        json={"target": correction, "inline": [[at, at + 7]]},
        headers={"If-Match": etag},
    )
    assert edited.status_code == 200, edited.get_json()
    # Another editor, still at the version both read: 412.
    assert_problem(
        editor.patch(
            f"/v1/jobs/{job_id}/translations/de/segments/{first['id']}",
            json={"target": "Anders."},
            headers={"If-Match": etag},
        ),
        412,
        "stale-version",
    )
    approved = reviewer.post(
        f"/v1/jobs/{job_id}/translations/de/approval", headers={"If-Match": edited.headers["ETag"]}
    )
    assert approved.status_code == 200 and approved.get_json()["published"] is True
    published = editor.get(f"/v1/articles/{external_id}/de").get_json()
    assert published["revision"] == 1
    assert "Die Staatschefs trafen sich am Dienstag in <strong>Vilnius</strong>." in published["body"]

    def events() -> dict[str, dict]:
        secret = tenant_secret(WEBHOOK_SECRET, tenant)
        found = {}
        for headers, body in receiver.requests:
            assert verify(secret, body, headers[SIGNATURE_HEADER], receiver.url)
            event = json.loads(body)
            if event["job_id"] == job_id:
                found[event["type"]] = event
        return found

    wait_until(
        lambda: {"translation.edited", "translation.approved", "job.finished"} <= set(events()),
        60,
        what="the edited, approved and finished events",
    )
    assert "translation.succeeded" not in events()
    announced = events()["translation.approved"]
    assert announced["approved"]["by"]["name"] == "Rae Viewer" and announced["published"] is True
    assert announced["external_id"] == external_id and announced["revision"] == 1

    # A later job of the tenant: the correction comes from the memory, the model sees nothing.
    later = submit(editor, {**article, "body": article["body"] + "<p>A new paragraph.</p>"})
    document, _ = segments(editor, later["id"])
    reused = next(s for s in document["segments"] if s["source"].startswith("Leaders"))
    assert reused["target"] == correction and reused["provenance"]["kind"] == "memory"
    assert later["languages"]["de"]["stats"]["memory_hits"] == 3  # title and the two approved sentences
    assert next(s for s in document["segments"] if s["source"].startswith("A new"))["provenance"]["kind"] == "machine"

    # Another tenant: the same article is the model's, with nothing of tenant A anywhere.
    theirs = submit(outsider, article)
    document, _ = segments(outsider, theirs["id"])
    assert {s["provenance"]["kind"] for s in document["segments"]} == {"machine"}
    assert "memory_hits" not in theirs["languages"]["de"]["stats"]
    assert (
        outsider.get(f"/v1/jobs/{theirs['id']}/translations/de/segments/s2/suggestions").get_json()["suggestions"] == []
    )
    assert outsider.get("/v1/memories").get_json()["items"] == []
    assert_problem(outsider.get(f"/v1/jobs/{job_id}/translations/de/segments"), 404)


@identity_only
def test_xliff_round_trip_and_tmx_import_on_the_stack(stack, api):
    tenant = f"cat{time.time_ns()}"
    editor = keyed_client(api, roles=(TRANSLATE, REVIEW), tenant=tenant, name="Cat Tool")
    status = submit(editor, {"title": "Note", "format": "html", "body": "<p>Read <em>this</em> first.</p>"})
    job_id = status["id"]
    _, etag = segments(editor, job_id)
    store = xliff.xlifffile.parsestring(editor.get(f"/v1/jobs/{job_id}/translations/de/xliff?version=1.2").get_data())
    unit = next(u for u in store.units if u.source.startswith("Read"))
    unit.rich_target = [StringElem(["Lies ", G(id="i1", sub=["das"]), " zuerst."])]
    imported = editor.put(f"/v1/jobs/{job_id}/translations/de/xliff", data=bytes(store), headers={"If-Match": etag})
    assert imported.status_code == 200, imported.get_json()
    page = editor.get(f"/v1/jobs/{job_id}/translations/de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Lies <em>das</em> zuerst." in page

    memory = tmx.tmxfile(sourcelanguage="en", targetlanguage="de")
    unit = memory.addsourceunit("Markets rallied on Monday.")
    unit.target = "Die Märkte legten am Montag zu."
    assert editor.post("/v1/memories/en/de/tmx", data=bytes(memory)).get_json()["imported"] == 1
    later = submit(editor, {"title": "Markets", "body": "Markets rallied on Monday. Bonds fell."})
    document, _ = segments(editor, later["id"])
    reused = next(s for s in document["segments"] if s["source"].startswith("Markets rallied"))
    assert reused["target"] == "Die Märkte legten am Montag zu."
    assert reused["provenance"] == {**reused["provenance"], "kind": "memory", "origin": "imported"}
    body = editor.get(f"/v1/jobs/{later['id']}/translations/de").get_json()["body"]
    assert body == "Die Märkte legten am Montag zu. Bonds fell."
