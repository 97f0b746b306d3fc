"""What translating needs besides the router, for articles (jobs/pipeline.py)
and short texts (jobs/short.py) alike: the term matchers of pinned glossary
versions, compiled once and kept, and the segment budget of a route.

The interactive worker translates on many threads at once: `TermMatchers`
guards its own cache, so no caller has to lock around it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from glossary.matching import TermMatcher
from glossary.store import GlossaryStore
from translation.engines import Router
from translation.limits import SegmentBudget, SegmentLimits, token_counter

# Compiled term matchers kept per process, keyed by glossary versions.
MATCHERS_KEPT = 64


@dataclass
class TermMatchers:
    glossaries: GlossaryStore
    kept: int = MATCHERS_KEPT
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_request(self, request: dict) -> TermMatcher | None:
        """The matcher of a short request's glossaries ({glossaries, glossary, source_lang})."""
        return self.pinned(request.get("glossaries") or (), request.get("glossary"), request.get("source_lang"))

    def pinned(self, used, inline: dict | None, source_lang: str | None) -> TermMatcher | None:
        """The matcher of glossary versions pinned at submission ([{id, version}]; id "inline" is
        the request's own `inline` glossary); None without glossaries."""
        if not used:
            return None
        key = tuple((g["id"], g["version"]) for g in used)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        # Compiled outside the lock: two threads may both compile a new key, which is harmless.
        glossaries = [
            self.glossaries.get_version(g["id"], g["version"])
            if g["id"] != "inline"
            else self.glossaries.inline(inline or {}, source_lang or "")
            for g in used
        ]
        matcher = TermMatcher.from_glossaries(glossaries)
        with self._lock:
            self._cache[key] = matcher
            while len(self._cache) > self.kept:
                self._cache.popitem(last=False)  # the least recently used
        return matcher

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)


def route_budget(router: Router, limits: SegmentLimits, source: str, target: str) -> SegmentBudget:
    """Segment limits as the first model of the route counts tokens."""
    first = router.route(source, target)[0]
    return SegmentBudget(limits.max_chars, limits.max_tokens, token_counter(first))
