"""The pipeline (one language of one job) on fakeredis, with the real router
over a small engine of our own in place of Argos/CTranslate2: claim,
translate, store, publish, announce."""

from __future__ import annotations

import logging

import fakeredis
import pytest

from glossary.store import GlossaryStore
from jobs import links
from jobs.pipeline import Pipeline
from jobs.matchers import TermMatchers
from jobs.short import ShortTextError, ShortTexts
from jobs.store import JobStore
from translation.engines import ModelInfo, Router
from translation.limits import SegmentLimits
from service.job_status import describe


def describe_job(store, job_id: str) -> dict:
    """The job as GET /v1/jobs/{id} shows it."""
    return describe(store.job(job_id))


class UppercaseEngine:
    """An engine (translation.engines.base.Engine) whose models translate by
    upper-casing, for the pairs it lists; it records every model call."""

    name = "upper"

    def __init__(self, pairs=(("en", "de"), ("en", "fr")), error: Exception | None = None):
        self.pairs = pairs
        self.error = error
        self.calls: list[tuple[str, str, list[str]]] = []

    def available(self) -> list[ModelInfo]:
        return [
            ModelInfo(self.name, f"upper-{source}_{target}", "1.0", source, target) for source, target in self.pairs
        ]

    def load(self, info: ModelInfo) -> "UppercaseModel":
        return UppercaseModel(info, self)


class UppercaseModel:
    def __init__(self, info: ModelInfo, engine: UppercaseEngine):
        self.info, self.engine = info, engine

    @property
    def cache_key(self) -> str:
        return f"{self.info.name}@{self.info.version}"

    def translate(self, texts: list[str]) -> list[str]:
        self.engine.calls.append((self.info.source, self.info.target, list(texts)))
        if self.engine.error:
            raise self.engine.error
        return [t.upper() for t in texts]

    def describe(self) -> dict:
        return self.info.describe()


ARTICLE = {
    "title": "Allies meet",
    "body": "The allies met in Vilnius. They agreed.\n\nA second paragraph.",
    "format": "text",
}


@pytest.fixture
def redis_client():
    return fakeredis.FakeRedis()


@pytest.fixture
def jobs(redis_client):
    return JobStore(redis_client)


@pytest.fixture
def glossaries(redis_client):
    return GlossaryStore(redis_client)


@pytest.fixture
def events():
    return []


def make_pipeline(jobs, glossaries, events, engine=None) -> Pipeline:
    return Pipeline(
        Router([engine or UppercaseEngine()]),
        jobs,
        glossaries,
        notify=lambda job_id, event: events.append((job_id, event)),
    )


def submit(jobs, langs=("de",), **extra) -> str:
    return jobs.create({"source_lang": "en", "target_langs": list(langs), "article": dict(ARTICLE), **extra})


def test_a_language_is_translated_and_stored(jobs, glossaries, events):
    engine = UppercaseEngine()
    pipeline = make_pipeline(jobs, glossaries, events, engine)
    job_id = submit(jobs, ["de", "fr"])
    assert pipeline.run(job_id, "de") == "succeeded"

    stored = jobs.result(job_id, "de")
    checks = stored.pop("checks")  # the checks' report: tests/test_checks_pipeline.py
    assert checks["segments"] == 4
    assert stored == {
        "title": "ALLIES MEET",
        "body": ARTICLE["body"].upper(),
        "format": "text",
        "model": [{"engine": "upper", "model": "upper-en_de", "version": "1.0", "from": "en", "to": "de"}],
    }
    status = describe_job(jobs, job_id)
    de = status["languages"]["de"]
    assert de["state"] == "succeeded" and de["progress"]["done"] == de["progress"]["total"] == 4
    assert de["stats"] == {"segments": 4, "model_calls": 1, "segments_translated": 4, "cache_hits": 0}
    assert status["languages"]["fr"]["state"] == "queued"
    assert [call[:2] for call in engine.calls] == [("en", "de")]
    assert events == []  # no callback_url, no webhook events


def test_a_second_delivery_is_skipped_and_changes_nothing(jobs, glossaries, events):
    engine = UppercaseEngine()
    pipeline = make_pipeline(jobs, glossaries, events, engine)
    job_id = submit(jobs, callback_url="https://cms.example/hook")
    assert pipeline.run(job_id, "de") == "succeeded"
    before = (jobs.result(job_id, "de"), jobs.language(job_id, "de"), len(events))
    assert pipeline.run(job_id, "de") == "finished"  # the claim finds the language ended
    assert (jobs.result(job_id, "de"), jobs.language(job_id, "de"), len(events)) == before
    assert len(engine.calls) == 1


def test_a_cancelled_language_is_skipped_without_translating(jobs, glossaries, events):
    engine = UppercaseEngine()
    job_id = submit(jobs)
    jobs.cancel(job_id)
    assert make_pipeline(jobs, glossaries, events, engine).run(job_id, "de") == "finished"
    assert engine.calls == [] and jobs.language(job_id, "de").state == "cancelled"


def test_an_expired_job_is_left_alone(jobs, glossaries, events, redis_client):
    """A task that outlived its job (TTL) translates nothing and writes nothing back."""
    engine = UppercaseEngine()
    make_pipeline(jobs, glossaries, events, engine).run("gone", "de")
    assert engine.calls == [] and redis_client.keys("*") == [] and events == []


def test_an_unsupported_pair_fails_the_language_with_its_reason(jobs, glossaries, events):
    job_id = submit(jobs, ["de", "ja"], callback_url="https://cms.example/hook")
    pipeline = make_pipeline(jobs, glossaries, events)
    assert pipeline.run(job_id, "ja") == "failed"
    language = describe_job(jobs, job_id)["languages"]["ja"]
    assert language["state"] == "failed" and language["error"] == "no model or pivot route for en->ja"
    assert [e["type"] for _, e in events] == ["translation.failed"]
    assert events[0][1]["error"] == language["error"]


def test_an_unreadable_document_fails_the_language(jobs, glossaries, events):
    job_id = jobs.create({"source_lang": "en", "target_langs": ["de"], "article": {**ARTICLE, "format": "rtf"}})
    assert make_pipeline(jobs, glossaries, events).run(job_id, "de") == "failed"
    assert "format 'rtf' is not supported" in jobs.language(job_id, "de").error


def test_an_engine_crash_fails_the_language_without_leaking_details(jobs, glossaries, events, caplog):
    engine = UppercaseEngine(error=RuntimeError("model file /srv/models/x.bin is corrupt"))
    job_id = submit(jobs)
    with caplog.at_level(logging.ERROR, logger="jobs.pipeline"):
        assert make_pipeline(jobs, glossaries, events, engine).run(job_id, "de") == "failed"
    assert jobs.language(job_id, "de").error == "internal error: RuntimeError"
    assert "/srv/models/x.bin is corrupt" in caplog.text  # the traceback goes to the worker log, not to the client
    assert describe_job(jobs, job_id)["state"] == "failed"


def test_webhook_events_per_language_and_once_for_the_job(jobs, glossaries, events):
    pipeline = make_pipeline(jobs, glossaries, events)
    job_id = submit(jobs, ["de", "fr"], callback_url="https://cms.example/hook", external_id="cms-7", revision=3)
    assert pipeline.run(job_id, "de") == "succeeded"
    assert [e["type"] for _, e in events] == ["translation.succeeded"]
    assert pipeline.run(job_id, "fr") == "succeeded"
    assert [e["type"] for _, e in events] == ["translation.succeeded", "translation.succeeded", "job.finished"]
    assert {job for job, _ in events} == {job_id}

    de_event = events[0][1]
    assert de_event == {
        "id": f"{job_id}.de.succeeded",
        "type": "translation.succeeded",
        "job_id": job_id,
        "external_id": "cms-7",
        "revision": 3,
        "lang": "de",
        "links": {"job": links.job(job_id), "translation": links.translation(job_id, "de")},
    }
    finished = events[2][1]
    assert finished["id"] == f"{job_id}.finished" and finished["state"] == "succeeded"
    assert finished["languages"] == {"de": "succeeded", "fr": "succeeded"}
    assert finished["links"] == {"job": links.job(job_id)}

    # A redelivered last language announces nothing again.
    assert pipeline.run(job_id, "fr") == "finished" and len(events) == 3


def test_a_finished_job_with_a_failure_is_announced_as_partially_failed(jobs, glossaries, events):
    pipeline = make_pipeline(jobs, glossaries, events)
    job_id = submit(jobs, ["de", "ja"], callback_url="https://cms.example/hook")
    pipeline.run(job_id, "ja")
    pipeline.run(job_id, "de")
    finished = [e for _, e in events if e["type"] == "job.finished"]
    assert len(finished) == 1 and finished[0]["state"] == "partially_failed"


def test_a_published_article_gets_this_revision(jobs, glossaries, events):
    pipeline = make_pipeline(jobs, glossaries, events)
    job_id = submit(jobs, external_id="cms-9", revision=jobs.articles.next_revision("cms-9"))
    pipeline.run(job_id, "de")
    published = jobs.articles.published("cms-9", "de")
    assert (published["revision"], published["job_id"]) == (1, job_id)


def test_pinned_glossary_versions_are_enforced(jobs, glossaries, events):
    glossary = glossaries.create(
        {"name": "desk", "source_lang": "en", "entries": [{"term": "Vilnius", "translations": {"de": "Wilna"}}]}
    )
    # Edited after the job was submitted: the job keeps version 1.
    glossaries.patch(
        glossary.id, {"entries": [{"term": "Vilnius", "translations": {"de": "Vilnjus"}}]}, expected_version=1
    )
    job_id = submit(jobs, glossaries=[{"id": glossary.id, "name": "desk", "version": 1}])
    assert make_pipeline(jobs, glossaries, events).run(job_id, "de") == "succeeded"
    body = jobs.result(job_id, "de")["body"]
    assert body.startswith("THE ALLIES MET IN Wilna. THEY AGREED.")
    report = describe_job(jobs, job_id)["languages"]["de"]["glossary"]
    assert report["source_occurrences"] == report["rendered_occurrences"] == 1


def test_inline_glossary(jobs, glossaries, events):
    inline = {"entries": [{"term": "allies", "keep": True}]}
    job_id = submit(jobs, glossary=inline, glossaries=[{"id": "inline", "name": "inline", "version": "abc"}])
    assert make_pipeline(jobs, glossaries, events).run(job_id, "de") == "succeeded"
    stored = jobs.result(job_id, "de")
    # Kept as the source writes it, whatever the engine does around it.
    assert stored["title"] == "Allies MEET" and stored["body"].startswith("THE allies MET IN VILNIUS.")


# -- short texts (DeepL /v2/translate, LibreTranslate /translate) --------------------------


def short_texts(jobs, glossaries, engine, max_chars: int) -> ShortTexts:
    return ShortTexts(
        Router([engine]), TermMatchers(glossaries), detector=None, limits=SegmentLimits(max_chars=max_chars)
    )


def test_a_long_sentence_of_a_short_request_is_cut_like_an_article_s(jobs, glossaries):
    engine = UppercaseEngine()
    sentence = "The allies met in Vilnius, agreed on air defence, and went home on Tuesday."
    answer = short_texts(jobs, glossaries, engine, max_chars=30).translate(
        {"texts": [sentence], "source": "en", "target": "de"}
    )
    assert answer["results"][0]["text"] == sentence.upper()  # every piece back, whitespace kept
    ((_, _, sent),) = engine.calls
    assert len(sent) > 1 and all(len(piece) <= 30 for piece in sent)


def test_a_word_longer_than_the_limit_is_refused_naming_it(jobs, glossaries):
    engine = UppercaseEngine()
    with pytest.raises(ShortTextError) as refused:
        short_texts(jobs, glossaries, engine, max_chars=30).translate(
            {"texts": ["Short. " + "x" * 40], "source": "en", "target": "de"}
        )
    assert refused.value.kind == "limit-exceeded" and refused.value.extra["limit"] == "MAX_SEGMENT_CHARS"
    assert engine.calls == []  # refused before any model call


def test_a_short_request_gets_the_same_enforcement_as_an_article(jobs, glossaries):
    glossary = glossaries.create(
        {
            "name": "desk",
            "source_lang": "en",
            "entries": [
                {"term": "Vilnius", "translations": {"de": "Wilna"}},
                {"term": "NATO", "keep": True},
                {"term": "BBC", "translations": {"de": "BBC-DE"}},
            ],
        }
    )
    engine = UppercaseEngine()
    answer = short_texts(jobs, glossaries, engine, max_chars=500).translate(
        {
            "texts": ["NATO allies met in Vilnius.", "She joined BBC Scotland."],
            "source": "en",
            "target": "de",
            "glossaries": [{"id": glossary.id, "version": 1}],
        }
    )
    # "NATO" kept: the engine writes it so (model); its "VILNIUS" replaced by the rendering
    # (replace); "BBC" inside the longer name "BBC Scotland" left to the model.
    assert [r["text"] for r in answer["results"]] == ["NATO ALLIES MET IN Wilna.", "SHE JOINED BBC SCOTLAND."]
    ((_, _, sent),) = engine.calls  # one batch: the sentences and each term alone
    assert sent == ["NATO allies met in Vilnius.", "She joined BBC Scotland.", "NATO", "Vilnius"]
