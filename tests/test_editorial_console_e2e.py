"""The console's editor in headless chromium, against gunicorn, Redis and a
worker process: a segment corrected in place (keyboard: next segment, save),
its provenance shown, the language approved, the correction reused as memory
by the next job and listed on the memory page; a second editor's stale page
gets the 412 page, not a silent overwrite."""

from __future__ import annotations

import time

import httpx
import pytest
import redis
from selenium.webdriver.common.keys import Keys

from access import KeyStore
from tests.browser import Browser
from tests.helpers import make_settings, wait_until

pytestmark = pytest.mark.e2e

DB = 30
TENANT = "console-desk"


@pytest.fixture(scope="module")
def console(redis_server, model_dirs, start_stack):
    redis.Redis.from_url(f"{redis_server.url}/{DB}").flushdb()
    settings = make_settings(redis_server, DB, model_dirs["identity"])
    stack = start_stack(settings, model_dirs["identity"], "editorial-console")
    keys = KeyStore(redis.Redis.from_url(settings.redis_url))
    stack.new_key = lambda name, roles: keys.create(name, roles, TENANT, "unlimited", "unlimited").secret
    stack.url = stack.start_api()  # gunicorn behind the front, through the launcher
    yield stack
    stack.stop()


def signed_in(console, name: str, roles) -> Browser:
    opened = Browser(console.url)
    opened.open("/console/sign-in")
    opened.fill("#key", console.new_key(name, roles))
    opened.click("#sign-in-form button[type=submit]")
    opened.wait_for("#viewer-roles")
    return opened


def submit(api: httpx.Client, body: str) -> str:
    response = api.post(
        "/v1/jobs", json={"source_lang": "en", "target_langs": ["de"], "article": {"title": "Council", "body": body}}
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    wait_until(lambda: api.get(f"/v1/jobs/{job_id}").json()["state"] == "succeeded", 120, what=f"job {job_id}")
    return job_id


def test_an_editor_corrects_approves_and_the_next_job_reuses_it(console):
    api = httpx.Client(
        base_url=console.url, timeout=10, headers={"Authorization": f"Bearer {console.new_key('api', ('translate',))}"}
    )
    body = f"The council met on Monday {time.time_ns()}. It adopted the budget. Members left early."
    job_id = submit(api, body)
    editor = signed_in(console, "Editor E", ("translate", "review"))
    second = signed_in(console, "Editor F", ("translate",))
    try:
        editor.open(f"/console/jobs/{job_id}/translations/de")
        editor.click("#edit-segments")
        editor.wait_for("#segments")
        assert editor.find("#review-state strong").text == "machine"
        second.open(f"/console/jobs/{job_id}/translations/de/edit")  # the same version, in another browser
        second.wait_for("#segments")

        # Keyboard: from the title's field, Alt+Down twice reaches the third segment; Ctrl+Enter saves it.
        editor.find("#target-s1").click()
        editor.find("#target-s1").send_keys(Keys.ALT, Keys.ARROW_DOWN)
        editor.driver.switch_to.active_element.send_keys(Keys.ALT, Keys.ARROW_DOWN)
        focused = editor.driver.switch_to.active_element
        assert focused.get_attribute("id") == "target-s3"
        focused.clear()
        focused.send_keys("Er verabschiedete den Haushalt.")
        focused.send_keys(Keys.CONTROL, Keys.ENTER)
        editor.wait_for_text(".flashes", "Segment s3 saved.")
        assert "edited by Editor E" in editor.text("#seg-s3 .provenance")
        assert editor.find("#target-s3").get_attribute("value") == "Er verabschiedete den Haushalt."
        assert editor.find("#review-state strong").text == "edited"
        editor.check_page("editorial-editor")

        # The second editor's page is a version behind: saving shows the API's 412.
        second.fill("#target-s2", "Anders.")
        second.click("#seg-s2 button[type=submit]")
        second.wait_for_text("body", "changed since you read it")

        editor.click("#approve")
        editor.wait_for_text(".flashes", "Translation approved")
        assert editor.find("#review-state strong").text == "approved"
        assert "approved by Editor E" in editor.text("#review-state")

        # The next job of the desk takes the correction from the memory, and the editor says so.
        again = submit(api, body + " One more sentence.")
        editor.open(f"/console/jobs/{again}/translations/de/edit")
        editor.wait_for("#segments")
        assert editor.find("#target-s3").get_attribute("value") == "Er verabschiedete den Haushalt."
        assert editor.find("#seg-s3").get_attribute("data-kind") == "memory"
        assert "memory (approved, 100.0%)" in editor.text("#seg-s3 .provenance")
        assert editor.find("#seg-s5").get_attribute("data-kind") == "machine"

        editor.click(".site-nav a[href$='/console/memories']")
        editor.wait_for("#memory-entries")
        assert "Er verabschiedete den Haushalt." in editor.text("#memory-entries")
        editor.check_page("editorial-memories")
    finally:
        editor.quit()
        second.quit()
        api.close()
