"""The checks where editors see them: stored with each language's result by
the pipeline, filtered by the API (/v1/jobs/{id}/translations/{lang}/checks),
counted in the metrics."""

from __future__ import annotations

import re

import fakeredis
import pytest
from prometheus_client import REGISTRY

from checks import Pair, check_segments
from checks.translated import CheckPolicy
from glossary.store import GlossaryStore
from jobs.pipeline import Pipeline
from jobs.store import JobStore
from telemetry import metrics
from tests.helpers import keyed_client
from translation.engines import ModelInfo, Router

ARTICLE = {
    "title": "Budget",
    "body": 'The club paid £11million for him. He said "yes".\n\nThe allies met.',
    "format": "text",
}
# What the real en→pt model did to pounds (issue 25), and a dropped quotation; the rest "translated".
OUTPUTS = {
    "Budget": "Orçamento",
    "The club paid £11million for him.": "O clube pagou 11 milhões de euros por ele.",
    'He said "yes".': "Ele disse sim.",
    "The allies met.": "Os aliados reuniram-se.",
    "Talks with Merkel today.": "Conversas hoje.",  # a name dropped
}
LOST_NAME = {"title": "Budget", "body": "Talks with Merkel today.\n\nThe allies met.", "format": "text"}


class TableEngine:
    """An en→pt engine that answers from OUTPUTS (unknown texts come back as they are)."""

    name = "table"

    def available(self):
        return [ModelInfo(self.name, "table-en_pt", "1.0", "en", "pt")]

    def load(self, info):
        return TableModel(info)


class TableModel:
    def __init__(self, info):
        self.info = info
        self.cache_key = "table@1"

    def translate(self, texts):
        return [OUTPUTS.get(t, t) for t in texts]

    def describe(self):
        return self.info.describe()


@pytest.fixture
def jobs():
    return JobStore(fakeredis.FakeRedis())


def run(jobs, policy: CheckPolicy, **request) -> dict:
    pipeline = Pipeline(Router([TableEngine()]), jobs, GlossaryStore(jobs.redis), checks=policy)
    job_id = jobs.create({"source_lang": "en", "target_langs": ["pt"], "article": dict(ARTICLE), **request})
    assert pipeline.run(job_id, "pt") == "succeeded"
    return jobs.result(job_id, "pt")


def test_the_pipeline_stores_each_languages_findings_with_its_result(jobs):
    report = run(jobs, CheckPolicy())["checks"]
    assert report["segments"] == 4
    flagged = {s["source"]: {f["code"] for f in s["findings"]} for s in report["flagged_segments"]}
    assert "currency.converted" in flagged["The club paid £11million for him."]
    assert "quotes.lost" in flagged['He said "yes".']
    assert "The allies met." not in flagged
    assert report["by_check"]["currency"] == 1 and report["clauses_checked"] is False


class BackEngine(TableEngine):
    """A pt→en engine that records what it is asked: the checks' back translation."""

    name = "back"
    asked: list[str] = []

    def available(self):
        return [ModelInfo(self.name, "back-pt_en", "1.0", "pt", "en")]

    def load(self, info):
        engine = self

        class Back(TableModel):
            def translate(self, texts):
                engine.asked.extend(texts)
                return ["Talks today." for _ in texts]

        return Back(info)


def run_with_reverse_model(jobs, policy: CheckPolicy) -> tuple[dict, list[str]]:
    back = BackEngine()
    back.asked = []
    pipeline = Pipeline(Router([TableEngine(), back]), jobs, GlossaryStore(jobs.redis), checks=policy)
    job_id = jobs.create({"source_lang": "en", "target_langs": ["pt"], "article": dict(LOST_NAME)})
    assert pipeline.run(job_id, "pt") == "succeeded"
    return jobs.result(job_id, "pt")["checks"], back.asked


def test_with_a_reverse_model_only_a_flagged_segment_is_translated_back(jobs):
    report, asked = run_with_reverse_model(jobs, CheckPolicy())
    assert asked == ["Conversas hoje."]
    assert report["clauses_checked"] is True and report["back_translated"] == 1
    assert [s["source"] for s in report["flagged_segments"]] == ["Talks with Merkel today."]


def test_with_a_reverse_model_a_names_english_word_is_rendered_by_the_forward_model(jobs, monkeypatch):
    """ "Counter" beside the kept "Geiger" is asked for; the back translation does not bring it home, the forward
    model's rendering of the word alone (Contador) shows it translated."""
    source = "Since then, the Geiger Counter became a mainstay."
    monkeypatch.setitem(OUTPUTS, source, "Desde então, o contador Geiger se tornou um marco.")
    article = {"title": "Almanac", "body": source, "format": "text"}

    def names_flagged() -> list[str]:
        pipeline = Pipeline(
            Router([TableEngine(), BackEngine()]), jobs, GlossaryStore(jobs.redis), checks=CheckPolicy()
        )
        job_id = jobs.create({"source_lang": "en", "target_langs": ["pt"], "article": dict(article)})
        assert pipeline.run(job_id, "pt") == "succeeded"
        report = jobs.result(job_id, "pt")["checks"]
        return [f["message"] for s in report["flagged_segments"] for f in s["findings"] if f["check"] == "names"]

    assert names_flagged() == ["the name “Counter” is not in the translation"]  # the table renders Counter as is
    monkeypatch.setitem(OUTPUTS, "Counter", "Contador")
    assert names_flagged() == []


def test_without_a_reverse_model_the_route_just_used_renders_a_missing_name(jobs, monkeypatch):
    source = "Erdogan flew to Cologne."
    monkeypatch.setitem(OUTPUTS, source, "Erdogan voou para Colônia.")
    article = {"title": "Trip", "body": source, "format": "text"}

    def names_flagged(policy: CheckPolicy) -> int:
        pipeline = Pipeline(Router([TableEngine()]), jobs, GlossaryStore(jobs.redis), checks=policy)
        job_id = jobs.create({"source_lang": "en", "target_langs": ["pt"], "article": dict(article)})
        assert pipeline.run(job_id, "pt") == "succeeded"
        return jobs.result(job_id, "pt")["checks"]["by_check"]["names"]

    assert names_flagged(CheckPolicy()) == 1  # the table renders "Cologne" as it is
    monkeypatch.setitem(OUTPUTS, "Cologne", "Colônia")
    assert names_flagged(CheckPolicy()) == 0
    assert names_flagged(CheckPolicy(back_translate=False)) == 1  # no model calls from the checks at all


def test_back_translation_can_be_turned_off(jobs):
    report, asked = run_with_reverse_model(jobs, CheckPolicy(back_translate=False))
    assert asked == [] and report["clauses_checked"] is False and report["back_translated"] == 0
    assert [s["source"] for s in report["flagged_segments"]] == ["Talks with Merkel today."]


def test_a_jobs_headline_limit_and_checks_off(jobs):
    report = run(jobs, CheckPolicy(), headline_max=5)["checks"]
    assert any(f["code"] == "headline.long" for s in report["flagged_segments"] for f in s["findings"])
    assert "checks" not in run(jobs, CheckPolicy(enabled=False))


def test_broken_checks_never_fail_a_translation(jobs, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a check broke")

    monkeypatch.setattr("checks.translated.check_translation", broken)
    result = run(jobs, CheckPolicy())
    assert result["body"] and "checks" not in result


def test_the_metrics_count_flagged_segments_and_findings():
    report = check_segments([Pair("He paid £11million.", "Ele pagou 11 milhões de euros.")], "en", "pt").to_dict()
    labels = {"target": "xx-test", "check": "currency"}
    before = REGISTRY.get_sample_value("newsroom_flagged_segments_total", labels) or 0
    metrics.record_checks("xx-test", report)
    assert REGISTRY.get_sample_value("newsroom_flagged_segments_total", labels) == before + 1
    assert (
        REGISTRY.get_sample_value(
            "newsroom_check_findings_total", {**labels, "code": "currency.converted", "severity": "error"}
        )
        >= 1
    )


def test_the_metrics_count_the_segments_translated_back():
    before = REGISTRY.get_sample_value("newsroom_back_translated_segments_total", {"target": "xx-back"}) or 0
    report = check_segments(
        [Pair("Talks with Merkel today.", "Conversas hoje."), Pair("The allies met.", "Os aliados reuniram-se.")],
        "en",
        "pt",
        back_translate=lambda texts: ["Talks today." for _ in texts],
    ).to_dict()
    metrics.record_checks("xx-back", report)
    assert REGISTRY.get_sample_value("newsroom_back_translated_segments_total", {"target": "xx-back"}) == before + 1


# -- the API -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(make_app):
    return make_app(23)


def finished_job(app, result: dict) -> str:
    store = app.extensions["newsroom"].jobs
    job_id = store.create(
        {
            "source_lang": "en",
            "target_langs": ["pt"],
            "article": dict(ARTICLE),
            "owner": {"key": "k", "prefix": "p", "tenant": "t"},
        }
    )
    claim = store.leases.claim(job_id, "pt")
    assert store.leases.succeed(job_id, "pt", claim.holder, result, None, {})
    return job_id


def test_the_api_filters_findings_by_check_and_severity(app):
    report = check_segments([Pair(s, OUTPUTS[s]) for s in OUTPUTS], "en", "pt").to_dict()
    job_id = finished_job(app, {"title": "Orçamento", "body": "…", "format": "text", "model": [], "checks": report})
    client = keyed_client(app)
    everything = client.get(f"/v1/jobs/{job_id}/translations/pt/checks").get_json()
    assert everything["checked"] and everything["flagged"] == report["flagged"] >= 2
    # Most serious first: the currency error before the lost quotation.
    assert everything["flagged_segments"][0]["severity"] == "error"
    currency = client.get(f"/v1/jobs/{job_id}/translations/pt/checks?check=currency").get_json()
    assert currency["by_check"] == {"currency": 1}
    assert {f["check"] for s in currency["flagged_segments"] for f in s["findings"]} == {"currency"}
    warnings = client.get(f"/v1/jobs/{job_id}/translations/pt/checks?check=marks&severity=error").get_json()
    assert warnings["flagged"] == 0
    translation = client.get(f"/v1/jobs/{job_id}/translations/pt").get_json()
    assert translation["checks"]["by_check"]["currency"] == 1
    refused = client.get(f"/v1/jobs/{job_id}/translations/pt/checks?check=spelling")
    assert refused.status_code == 422 and refused.get_json()["type"].endswith("unknown-check")


def test_the_api_says_when_a_translation_has_no_checks(app):
    job_id = finished_job(app, {"title": "T", "body": "B", "format": "text", "model": []})
    answer = keyed_client(app).get(f"/v1/jobs/{job_id}/translations/pt/checks").get_json()
    assert answer["checked"] is False and answer["flagged"] == 0
    assert keyed_client(app).get("/v1/jobs/nope/translations/pt/checks").status_code == 404


# -- the console's review page ---------------------------------------------------------------


def signed_in(app):
    from access import KeyStore

    client = app.test_client()
    key = (
        KeyStore(app.extensions["newsroom"].redis)
        .create("editor", ("admin",), rate_limit="unlimited", char_quota="unlimited")
        .secret
    )
    form = client.get("/console/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = client.post("/console/sign-in", data={"csrf_token": csrf, "key": key, "next": "/console/"})
    assert signed.status_code == 302
    return client


def test_the_review_page_marks_flagged_rows_and_lists_them_most_serious_first(app):
    report = check_segments([Pair(s, OUTPUTS[s]) for s in OUTPUTS], "en", "pt").to_dict()
    # As the pipeline numbers them: the title is unit 0, the body's two paragraphs units 1 and 2.
    report["flagged_segments"] = [{**s, "unit": 1} for s in report["flagged_segments"]]
    body = "O clube pagou 11 milhões de euros por ele. Ele disse sim.\n\nOs aliados reuniram-se."
    job_id = finished_job(app, {"title": "Orçamento", "body": body, "format": "text", "model": [], "checks": report})
    page = signed_in(app).get(f"/console/jobs/{job_id}/translations/pt")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<tr id="row-1" class="[^"]*flagged flagged-error', html)
    assert re.search(r'<tr id="row-2" class="\s*"', html)  # the unflagged paragraph carries no mark
    attention = html[html.index('id="attention"') :]
    assert attention.index("euros") < attention.index("quotation")  # the error before the warning
    assert 'data-code="currency.converted"' in html


def test_a_job_may_set_its_headline_limit(app):
    client = keyed_client(app)
    job = {"source_lang": "en", "target_langs": ["de"], "article": {"title": "Allies meet", "body": "They met."}}
    refused = client.post("/v1/jobs", json={**job, "headline_max": 0})
    assert refused.status_code == 422
    accepted = client.post("/v1/jobs", json={**job, "headline_max": 60})
    assert accepted.status_code == 202, accepted.get_json()
    assert app.extensions["newsroom"].jobs.request(accepted.get_json()["id"]).headline_max == 60
