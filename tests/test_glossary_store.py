"""The Redis glossary store: versions, optimistic concurrency, limits, no partial writes."""

from __future__ import annotations

import json
import multiprocessing
import threading

import fakeredis
import pytest
import redis

import glossary.store as store_module
from glossary.entries import GlossaryError, GlossaryLimits, parse_etag
from glossary.store import GlossaryStore, LimitExceeded, NotFound, VersionConflict
from tests.helpers import DATA, race_to_add_entry, run_in_threads

SAMPLE = json.loads((DATA / "glossary.json").read_text())


@pytest.fixture
def server():
    return fakeredis.FakeServer()


@pytest.fixture
def store(server):
    return GlossaryStore(fakeredis.FakeRedis(server=server), GlossaryLimits(max_glossaries=3, max_entries=10))


def snapshot(client) -> dict:
    """Every key with its value, to prove that a failed operation wrote nothing."""
    out = {}
    for key in client.keys("*"):
        kind = client.type(key)
        if kind == b"string":
            out[key] = client.get(key)
        elif kind == b"hash":
            out[key] = client.hgetall(key)
        elif kind == b"zset":
            out[key] = client.zrange(key, 0, -1, withscores=True)
    return out


def test_create_and_get_round_trip(store):
    created = store.create({**SAMPLE, "description": "desk glossary"})
    assert created.version == 1 and len(created.id) == 16
    fetched = store.get(created.id)
    assert fetched.to_dict() == created.to_dict()
    assert [e.term for e in fetched.entries] == [e["term"] for e in SAMPLE["entries"]]
    assert fetched.entries[2].case_sensitive and fetched.entries[3].keep
    assert all(len(e.id) == 12 for e in fetched.entries)
    assert fetched.etag == f'"{created.id}-v1"' and parse_etag(fetched.etag) == (created.id, 1)


def test_every_change_makes_a_new_immutable_version(store):
    g = store.create(SAMPLE)
    v2 = store.add_entry(g.id, {"term": "Brussels", "translations": {"fr": "Bruxelles"}}, expected_version=1)
    kyiv = next(e for e in v2.entries if e.term == "Kyiv")
    v3 = store.replace_entry(g.id, kyiv.id, {"term": "Kyiv", "translations": {"de": "Kiew"}}, expected_version=2)
    v4 = store.delete_entry(g.id, v2.entries[-1].id, expected_version=3)
    v5 = store.patch(g.id, {"name": "renamed", "description": "d"}, expected_version=4)
    assert [v.version for v in (v2, v3, v4, v5)] == [2, 3, 4, 5]
    assert store.get(g.id).version == 5 and store.get(g.id).name == "renamed"
    # Old versions are exactly as they were.
    assert len(store.get_version(g.id, 1).entries) == 6 and store.get_version(g.id, 1).name == "nato-desk"
    assert store.get_version(g.id, 2).entries[-1].term == "Brussels"
    assert store.get_version(g.id, 2).entry(kyiv.id).translations["de"] == "Kyjiw"
    assert store.get_version(g.id, 3).entry(kyiv.id).translations == {"de": "Kiew"}  # id kept
    assert len(store.get_version(g.id, 4).entries) == 6
    assert v5.created_at == g.created_at and v5.updated_at >= v4.updated_at


def test_add_entry_assigns_a_new_id(store):
    g = store.create(SAMPLE)
    v2 = store.add_entry(g.id, {"id": g.entries[0].id, "term": "Lviv", "keep": True}, 1)
    assert v2.entries[-1].id not in {e.id for e in g.entries}


def test_replace_and_patch_entries(store):
    g = store.create(SAMPLE)
    replaced = store.replace(
        g.id, {"name": "other", "source_lang": "de", "entries": [{"term": "Kiew", "translations": {"en": "Kyiv"}}]}, 1
    )
    assert (replaced.name, replaced.source_lang, [e.term for e in replaced.entries]) == ("other", "de", ["Kiew"])
    patched = store.patch(g.id, {"entries": [e.to_dict() for e in g.entries[:2]]}, 2)
    assert [e.id for e in patched.entries] == [e.id for e in g.entries[:2]]  # ids given are kept
    with pytest.raises(GlossaryError) as error:
        store.patch(g.id, {"source_lang": "fr"}, 3)
    assert error.value.problems == [{"field": "source_lang", "reason": "unknown field"}]


def test_stale_version_raises_version_conflict(store):
    g = store.create(SAMPLE)
    store.patch(g.id, {"name": "first editor"}, expected_version=1)
    for operation in (
        lambda: store.patch(g.id, {"name": "second editor"}, expected_version=1),
        lambda: store.add_entry(g.id, {"term": "Lviv", "keep": True}, expected_version=1),
        lambda: store.delete_entry(g.id, g.entries[0].id, expected_version=1),
        lambda: store.replace(g.id, SAMPLE, expected_version=3),
        lambda: store.delete(g.id, expected_version=1),
    ):
        with pytest.raises(VersionConflict) as conflict:
            operation()
        assert conflict.value.current_version == 2
    assert store.get(g.id).name == "first editor" and store.get(g.id).version == 2


def test_two_threads_racing_on_the_same_version_exactly_one_wins(server, monkeypatch):
    """Both editors read version 1 and pass the version check before either writes;
    WATCH/MULTI/EXEC must then let exactly one of them commit."""
    setup = GlossaryStore(fakeredis.FakeRedis(server=server))
    g = setup.create(SAMPLE)
    barrier = threading.Barrier(2, timeout=10)
    real_validate = store_module.validate

    def validate_then_wait(glossary, limits):
        real_validate(glossary, limits)
        try:
            barrier.wait()  # both transactions are now between their check and their EXEC
        except threading.BrokenBarrierError:
            pass  # a retry after a lost race: the other thread is gone

    monkeypatch.setattr(store_module, "validate", validate_then_wait)
    outcomes: dict[str, object] = {}

    def edit(name: str) -> None:
        editor = GlossaryStore(fakeredis.FakeRedis(server=server))
        try:
            outcomes[name] = editor.patch(g.id, {"name": name}, expected_version=1).version
        except VersionConflict as conflict:
            outcomes[name] = conflict

    run_in_threads(edit, [("alice",), ("bob",)], timeout=20)
    winners = [name for name, outcome in outcomes.items() if outcome == 2]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, VersionConflict)]
    assert len(winners) == 1 and len(losers) == 1 and losers[0].current_version == 2
    current = setup.get(g.id)
    assert current.version == 2 and current.name == winners[0]
    with pytest.raises(NotFound):
        setup.get_version(g.id, 3)


def test_processes_racing_on_real_redis_exactly_one_wins(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    store = GlossaryStore(client, prefix="race-test")
    g = store.create(SAMPLE)
    # Not fork: by now the test process may hold threads (and their locks) of
    # other tests. A fork server starts once and forks each editor from there.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["glossary.store", "tests.helpers"])
    barrier, results = context.Barrier(4), context.Queue()
    processes = [
        context.Process(target=race_to_add_entry, args=(redis_server.url, g.id, f"Editor{i}", barrier, results))
        for i in range(4)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(10)
    assert [process.exitcode for process in processes] == [0] * len(processes)
    assert sorted(kind for kind, _ in outcomes) == ["conflict"] * 3 + ["won"]
    assert all(value == 2 for kind, value in outcomes if kind == "conflict")
    final = store.get(g.id)
    assert final.version == 2 and len(final.entries) == 7
    assert final.entries[-1].term == next(value for kind, value in outcomes if kind == "won")
    for key in client.scan_iter("race-test:*"):
        client.delete(key)


def test_max_glossaries_is_enforced_and_freed_by_delete(store):
    made = [store.create({"name": f"g{i}", "source_lang": "en"}) for i in range(3)]
    with pytest.raises(LimitExceeded):
        store.create({"name": "one too many", "source_lang": "en"})
    store.delete(made[0].id, expected_version=1)
    assert store.create({"name": "fits again", "source_lang": "en"}).version == 1


def test_max_entries_and_term_length(server):
    store = GlossaryStore(fakeredis.FakeRedis(server=server), GlossaryLimits(max_entries=2, max_term_length=10))
    with pytest.raises(GlossaryError) as error:
        store.create({"name": "n", "source_lang": "en", "entries": [{"term": f"t{i}", "keep": True} for i in range(3)]})
    assert error.value.problems == [{"field": "entries", "reason": "3 entries; the limit is 2"}]
    g = store.create({"name": "n", "source_lang": "en", "entries": [{"term": "a", "keep": True}]})
    store.add_entry(g.id, {"term": "b", "keep": True}, 1)
    with pytest.raises(GlossaryError):
        store.add_entry(g.id, {"term": "c", "keep": True}, 2)
    with pytest.raises(GlossaryError) as error:
        store.add_entry(g.id, {"term": "x" * 11, "keep": True}, 2)
    assert any("longer than 10" in p["reason"] for p in error.value.problems)


def test_not_found(store):
    g = store.create(SAMPLE)
    for operation in (
        lambda: store.get("0000000000000000"),
        lambda: store.get("index"),  # a key name of the store itself
        lambda: store.get("a:v:1"),
        lambda: store.get_version(g.id, 2),
        lambda: store.get_version("nope", 1),
        lambda: store.patch("nope", {"name": "x"}, 1),
        lambda: store.replace_entry(g.id, "no-such-entry", {"term": "x", "keep": True}, 1),
        lambda: store.delete_entry(g.id, "no-such-entry", 1),
        lambda: store.delete("nope", 1),
    ):
        with pytest.raises(NotFound):
            operation()
    store.delete(g.id, 1)
    with pytest.raises(NotFound):
        store.get(g.id)
    with pytest.raises(NotFound):
        store.delete(g.id, 1)
    with pytest.raises(NotFound):
        store.add_entry(g.id, {"term": "x", "keep": True}, 1)
    # Pinned versions stay readable for queued jobs, until the retention expires them.
    assert store.get_version(g.id, 1).name == "nato-desk"
    assert 0 < store.redis.ttl(store._version_key(g.id, 1)) <= 7 * 24 * 3600


def test_superseded_versions_expire_after_the_retention(store):
    g = store.create(SAMPLE)
    store.patch(g.id, {"name": "renamed"}, 1)
    store.patch(g.id, {"name": "renamed again"}, 2)
    ttl = store.redis.ttl
    assert 0 < ttl(store._version_key(g.id, 1)) <= 7 * 24 * 3600  # superseded: readable, then gone
    assert 0 < ttl(store._version_key(g.id, 2)) <= 7 * 24 * 3600
    assert ttl(store._version_key(g.id, 3)) == -1  # current: kept
    assert store.get_version(g.id, 1).name == "nato-desk"


@pytest.mark.parametrize(
    "operation, reason",
    [
        (lambda s, g: s.add_entry(g.id, {"term": "nato", "translations": {"fr": "otan"}}, 1), "duplicate term"),
        (lambda s, g: s.add_entry(g.id, {"term": "  ", "keep": True}, 1), "empty term"),
        (lambda s, g: s.add_entry(g.id, {"term": "X", "keep": True, "translations": {"de": "Y"}}, 1), "not both"),
        (lambda s, g: s.add_entry(g.id, {"term": "X"}, 1), "needs translations"),
        (lambda s, g: s.add_entry(g.id, {"term": "X", "translations": {"German": "Y"}}, 1), "not a language code"),
        (lambda s, g: s.add_entry(g.id, {"term": "X", "variants": "Y", "keep": True}, 1), "list of strings"),
        (lambda s, g: s.add_entry(g.id, "not an entry", 1), "must be an object"),
        (lambda s, g: s.replace_entry(g.id, g.entries[0].id, {"term": "Kyiv", "keep": True}, 1), "duplicate term"),
        (lambda s, g: s.patch(g.id, {"name": ""}, 1), "empty name"),
        (
            lambda s, g: s.patch(g.id, {"entries": [{"term": "a", "keep": True}, {"term": "A", "keep": True}]}, 1),
            "duplicate term",
        ),
        (lambda s, g: s.replace(g.id, {"name": "x", "source_lang": "english"}, 1), "not a language code"),
        (lambda s, g: s.replace(g.id, {"name": "x"}, 1), "missing"),
        (lambda s, g: s.create({"name": "x", "source_lang": "en", "entries": [{"term": "a"}]}), "needs translations"),
    ],
)
def test_validation_errors_write_nothing(store, operation, reason):
    g = store.create(SAMPLE)
    before = snapshot(store.redis)
    with pytest.raises(GlossaryError) as error:
        operation(store, g)
    assert any(reason in p["reason"] for p in error.value.problems), error.value.problems
    assert snapshot(store.redis) == before
    assert store.get(g.id).version == 1


def test_validation_reports_every_problem_with_its_field(store):
    with pytest.raises(GlossaryError) as error:
        store.create(
            {
                "name": "x",
                "source_lang": "en",
                "entries": [
                    {"term": "Kyiv", "translations": {"de": "Kyjiw"}},
                    {"term": "", "keep": True},
                    {"term": "KYIV", "keep": True},
                    {"term": "NATO", "variants": ["nato"], "case_sensitive": True, "keep": True},
                    {"term": "Nato", "case_sensitive": True, "keep": True},  # case-sensitive twins: fine
                ],
            }
        )
    fields = sorted(p["field"] for p in error.value.problems)
    assert fields == ["entries[1].term", "entries[2].term"]


def test_list_is_paginated_in_creation_order(server):
    store = GlossaryStore(fakeredis.FakeRedis(server=server))
    made = [store.create({"name": f"g{i}", "source_lang": "en"}) for i in range(7)]
    store.patch(made[1].id, {"name": "g1 edited"}, 1)  # editing does not move it
    store.delete(made[4].id, 1)
    page1, total = store.list(0, 3)
    page2, _ = store.list(3, 3)
    assert total == 6
    assert [g.name for g in page1 + page2] == ["g0", "g1 edited", "g2", "g3", "g5", "g6"]
    assert page1[1].version == 2
    assert store.list(10, 5) == ([], 6)


def test_inline_glossary_is_validated_and_has_stable_ids(store):
    data = {"entries": [{"term": "Kyiv", "translations": {"de": "Kyjiw"}}, {"term": "Jens Stoltenberg", "keep": True}]}
    first, second = store.inline(data, "en"), store.inline(data, "en")
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    assert len({e.id for e in first.entries}) == 2
    with pytest.raises(GlossaryError):
        store.inline({"entries": [{"term": "Kyiv"}]}, "en")
    assert store.redis.keys("*") == []  # nothing stored


def test_a_version_stored_before_grammar_existed_loads_and_edits(store):
    # The JSON of a version written before entries had grammar and match_inside_names.
    old = {
        "id": "old1",
        "name": "desk",
        "source_lang": "en",
        "description": "",
        "version": 1,
        "created_at": 1.0,
        "updated_at": 1.0,
        "author": None,
        "entries": [
            {
                "id": "e1",
                "term": "EU",
                "variants": [],
                "translations": {"pt": "UE"},
                "keep": False,
                "case_sensitive": False,
                "note": None,
            }
        ],
    }
    store.redis.set(store._version_key("old1", 1), json.dumps(old))
    store.redis.hset(store._pointer("old1"), mapping={"version": 1, "deleted": 0, "tenant": ""})
    entry = store.get("old1").entries[0]
    assert (entry.grammar, entry.match_inside_names) == ({}, False)
    grammar = {"pt": {"gender": "f", "number": "sg", "article": True}}
    edited = store.replace_entry(
        "old1", "e1", {"term": "EU", "translations": {"pt": "UE"}, "grammar": grammar}, expected_version=1
    )
    assert store.get_version("old1", 2).entries[0].grammar == grammar == edited.entries[0].grammar
    with pytest.raises(GlossaryError) as error:
        store.replace_entry(
            "old1",
            "e1",
            {"term": "EU", "translations": {"pt": "UE"}, "grammar": {"pt": {"gender": "x"}}},
            expected_version=2,
        )
    assert [p["field"] for p in error.value.problems] == ["entry.grammar.pt.gender"]
