"""Webhook signatures cover timestamp, destination and body; the README's
verifier is the code receivers copy, so it is run here too."""

from __future__ import annotations

import re
import time

import pytest

from jobs.webhooks import sign, verify
from tests.helpers import ROOT

URL = "https://cms.example/hooks/translations?source=newsroom"
BODY = b'{"external_id":"cms-4711","id":"j.de.succeeded","type":"translation.succeeded"}'


def readme_verify():
    readme = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")  # moved from the README
    code = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify" in block)
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


@pytest.mark.parametrize("check", [verify, readme_verify()], ids=["jobs.webhooks", "README"])
def test_a_signature_verifies_only_at_its_destination(check):
    header = sign("s3cret", BODY, URL)
    assert check("s3cret", BODY, header, URL)
    # The same event replayed to another endpoint within the window.
    for elsewhere in (
        "https://cms.example/hooks/translations",
        "https://victim.example/hooks/translations?source=newsroom",
        "http://cms.example/hooks/translations?source=newsroom",
    ):
        assert not check("s3cret", BODY, header, elsewhere)
    assert not check("other", BODY, header, URL)
    assert not check("s3cret", BODY.replace(b"4711", b"4712"), header, URL)
    assert not check("s3cret", BODY, "garbage", URL) and not check("s3cret", BODY, "t=x,v2=00", URL)


@pytest.mark.parametrize("check", [verify, readme_verify()], ids=["jobs.webhooks", "README"])
def test_an_old_signature_is_refused(check):
    stale = sign("s3cret", BODY, URL, timestamp=int(time.time()) - 301)
    assert not check("s3cret", BODY, stale, URL)
    assert check("s3cret", BODY, sign("s3cret", BODY, URL, timestamp=int(time.time()) - 200), URL)


def test_the_old_unbound_scheme_is_not_sent():
    header = sign("s3cret", BODY, URL)
    assert set(dict(p.split("=", 1) for p in header.split(","))) == {"t", "v2"}
