"""The editorial core on fakeredis with plain objects: drafts (typed, versioned,
re-rendered with their markup), the memory (tenants apart, fuzzy suggestions),
reuse before the model (glossary contradictions refused), the edit and
approval use cases (publishing on approval, events), XLIFF and TMX."""

from __future__ import annotations

import json

import fakeredis
import pytest

from editorial import interchange
from editorial.memory import Entry, TranslationMemory
from editorial.reuse import Reuse
from editorial.review import Desk, Person, approve, edit_segments
from editorial.segments import Draft, UnknownSchema, dump, load, new_draft, place_fixed, render
from editorial.store import CarriedEdits, Drafts, Stale
from glossary.enforcement import FixedSpan
from glossary.entries import Entry as GlossaryEntry
from glossary.matching import TermMatcher
from jobs.record import Article, JobRequest, Owner
from translation.article import Segment, translate_article, Article as Doc
from translation.engines import ModelInfo, Router

BODY = '<p>We met <a href="https://x.example/">our allies</a> today. NATO agreed.</p>'


class Upper:
    name = "upper"

    def __init__(self):
        self.texts: list[str] = []

    def available(self):
        return [ModelInfo("upper", "upper-en_de", "1.0", "en", "de")]

    def load(self, info):
        engine = self

        class Model:
            cache_key = "upper"

            def translate(self, texts):
                engine.texts.extend(texts)
                return [t.upper() for t in texts]

            def describe(self):
                return info.describe()

        return Model()


@pytest.fixture
def redis_client():
    return fakeredis.FakeRedis()


def translated(reuse=None, engine=None):
    return translate_article(Router([engine or Upper()]), Doc("Title", BODY, "html"), "en", "de", reuse=reuse)


def draft_of(result) -> Draft:
    return new_draft(result.plan, result.translations, [{"kind": "machine"}] * len(result.plan))


def test_a_draft_renders_the_article_the_pipeline_rendered_and_an_edit_keeps_the_markup():
    result = translated()
    draft = draft_of(result)
    assert render(draft, "Title", BODY, "html") == (result.title, result.body)
    from editorial.segments import with_target

    target = "Heute trafen wir unsere Verbündeten."
    at = target.index("unsere")
    edited = with_target(draft, "s2", target, {"kind": "human"}, [(at, at + len("unsere Verbündeten"))])
    assert edited.version == 2 and edited.segment("s2").target == target
    title, body = render(edited, "Title", BODY, "html")
    assert body == ('<p>Heute trafen wir <a href="https://x.example/">unsere Verbündeten</a>. NATO AGREED.</p>')


def test_drafts_round_trip_with_their_schema_version_and_refuse_a_newer_one():
    draft = draft_of(translated())
    assert load(dump(draft)) == draft
    newer = json.loads(dump(draft)) | {"schema_version": 99}
    with pytest.raises(UnknownSchema):
        load(json.dumps(newer))


def test_a_stale_version_is_refused_and_changes_nothing(redis_client):
    drafts = Drafts(redis_client)
    drafts.save("j1", "de", draft_of(translated()))
    with pytest.raises(Stale) as stale:
        drafts.update("j1", "de", 7, lambda d: (d, {}))
    assert stale.value.current.version == 1 and drafts.get("j1", "de").version == 1


def test_fixed_spans_are_placed_in_order():
    spans = [FixedSpan(0, 4, "NATO"), FixedSpan(10, 14, "NATO")]
    assert place_fixed("NATO und NATO", spans) == [(0, 4), (9, 13)]
    assert place_fixed("Die Allianz", spans) == [None, None]


def test_memories_are_per_tenant_and_suggest_close_sentences(redis_client):
    memory = TranslationMemory(redis_client)
    memory.add("a", "en", "de", [Entry("The minister resigned tonight.", "Der Minister trat heute zurück.")])
    assert memory.exact("a", "en", "de", ["The minister  resigned tonight."])[0].target.startswith("Der")
    assert memory.exact("b", "en", "de", ["The minister resigned tonight."]) == [None]
    assert memory.suggestions("b", "en", "de", "The minister resigned today.") == []
    [(entry, score)] = memory.suggestions("a", "en", "de", "The minister resigned today.")
    assert entry.source == "The minister resigned tonight." and 75 <= score < 100
    assert memory.pairs("a") == [("en", "de", 1)] and memory.pairs("b") == []


def test_reuse_takes_the_memory_before_the_model_unless_it_lacks_a_glossary_rendering(redis_client):
    memory = TranslationMemory(redis_client)
    memory.add(
        "a",
        "en",
        "de",
        [
            Entry("We met our allies today.", "Wir trafen heute unsere Verbündeten."),
            Entry("NATO agreed.", "Das Bündnis stimmte zu."),
        ],
    )
    reuse = Reuse(memory, CarriedEdits(redis_client), "a", "en", "de")

    nato = TermMatcher([GlossaryEntry("NATO", translations={"de": "NATO"}, id="e1")])
    engine = Upper()
    result = translate_article(Router([engine]), Doc("Title", BODY, "html"), "en", "de", nato, reuse=reuse)
    assert "We met our allies today." not in " ".join(engine.texts)
    assert any("AGREED" in t.upper() for t in engine.texts)  # the contradicting entry went to the model
    assert reuse.counts == {"human_kept": 0, "memory_hits": 1, "memory_rejected": 1}
    assert reuse.provenance[2]["memory_rejected"]["missing"] == ["NATO"]
    # The entry has no inline ranges: the link is placed in proportion, around the memory's words.
    assert result.body == '<p>Wir trafen <a href="https://x.example/">heute unsere</a> Verbündeten. NATO AGREED.</p>'


def request(**extra) -> JobRequest:
    return JobRequest("en", ("de",), Article("Title", BODY, "html"), owner=Owner("k", "nt_live_k", "a"), **extra)


def test_approval_publishes_on_approval_and_fills_the_memory(redis_client):
    events, published = [], []
    drafts = Drafts(redis_client)
    desk = Desk(
        drafts,
        TranslationMemory(redis_client),
        CarriedEdits(redis_client),
        announce=lambda job_id, event: events.append(event),
        publish=lambda *args: published.append(args) or True,
        clock=lambda: 1000.0,
    )
    drafts.save("j1", "de", draft_of(translated()))
    job = request(external_id="story", revision=2, callback_url="http://127.0.0.1:9/hook", publish="on_approval")
    draft = edit_segments(desk, "j1", job, "de", [{"id": "s3", "target": "NATO stimmte zu."}], 1, Person("p", "Ed"))
    assert draft.review == "edited" and events[-1]["type"] == "translation.edited"
    assert CarriedEdits(redis_client).find("a", "story", "de", ["NATO agreed."])[0]["target"] == "NATO stimmte zu."
    draft, now = approve(desk, "j1", job, "de", 2, Person("r", "Rae"))
    assert now and published == [("story", "de", 2, "j1", "a")]
    assert draft.approved == {"by": {"key": "r", "name": "Rae"}, "at": "1970-01-01T00:16:40.000Z"}
    assert events[-1]["type"] == "translation.approved" and events[-1]["id"] == "j1.de.approved.v2"
    assert draft.version == 2  # approving approves this version; it changes no text
    assert TranslationMemory(redis_client).exact("a", "en", "de", ["NATO agreed."])[0].target == "NATO stimmte zu."
    # A job that publishes on completion publishes nothing more on approval.
    drafts.save("j2", "de", draft_of(translated()))
    assert approve(desk, "j2", request(external_id="s2", revision=1), "de", 1, Person("r", "Rae"))[1] is False


def test_xliff_of_both_versions_carries_inline_markup_and_states():
    draft = draft_of(translated())
    for version, element in (("1.2", b'<g id="i1">OUR ALLIES</g>'), ("2.0", b'<pc id="i1">OUR ALLIES</pc>')):
        data = interchange.export_xliff(draft, "en", "de", version, "j/de")
        assert element in data
        targets = interchange.read_xliff(data, draft)
        assert targets["s2"] == ("WE MET OUR ALLIES TODAY.", [(7, 17)])
    with pytest.raises(interchange.InterchangeError):
        interchange.read_xliff(b"<html/>", draft)


def test_tmx_round_trips_and_reads_language_variants():
    data = interchange.export_tmx([Entry("Hello.", "Hallo.")], "en", "de")
    assert [(e.source, e.target, e.origin) for e in interchange.import_tmx(data, "en", "de")] == [
        ("Hello.", "Hallo.", "imported")
    ]
    variant = data.replace(b'xml:lang="en"', b'xml:lang="en-GB"').replace(b'xml:lang="de"', b'xml:lang="de-AT"')
    assert len(interchange.import_tmx(variant, "en", "de")) == 1
    assert interchange.import_tmx(data, "en", "fr") == []
    with pytest.raises(interchange.InterchangeError):
        interchange.import_tmx(b"not xml", "en", "de")


def test_uploaded_files_declaring_entities_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>&b;</seg></tuv>'
        b'<tuv xml:lang="de"><seg>x</seg></tuv></tu></body></tmx>'
    )
    with pytest.raises(interchange.InterchangeError, match="entities"):
        interchange.import_tmx(bomb, "en", "de")
    draft = draft_of(translated())
    xliff_bomb = bomb.replace(b"tmx", b"xliff")
    with pytest.raises(interchange.InterchangeError, match="entities"):
        interchange.read_xliff(xliff_bomb, draft)


def test_a_segment_is_a_plain_segment_of_the_pipeline():
    # The draft stores what translation.article plans: a field added there must be stored here too.
    assert set(Segment.__dataclass_fields__) == {"unit", "start", "end", "text", "fixed", "inline"}


def test_an_edited_docx_segment_is_rendered_back_into_the_file():
    import base64
    import io

    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("Read the ")
    paragraph.add_run("report").bold = True
    paragraph.add_run(" today.")
    buffer = io.BytesIO()
    document.save(buffer)
    body = base64.b64encode(buffer.getvalue()).decode()
    result = translate_article(Router([Upper()]), Doc("Title", body, "docx"), "en", "de")
    draft = draft_of(result)
    assert render(draft, "Title", body, "docx")[0] == result.title
    segment = next(s for s in draft.segments if s.source.startswith("Read"))
    from editorial.segments import with_target

    target = "Lies heute den Bericht."
    at = target.index("Bericht")
    edited = with_target(draft, segment.id, target, {"kind": "human"}, [(at, at + 7)])
    _, new_body = render(edited, "Title", body, "docx")
    rendered = docx.Document(io.BytesIO(base64.b64decode(new_body))).paragraphs[0]
    assert rendered.text == target
    assert [run.text for run in rendered.runs if run.bold] == ["Bericht"]
