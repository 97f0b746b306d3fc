"""What glossary enforcement did, per term: how many source occurrences there
were, how many renderings reached the target, by which method, and why any failed:
  model      the model wrote the rendering itself; nothing was changed
  replace    the model's own words for the term were replaced by the rendering
  mask       the term was masked by a placeholder, the sentence translated again
  split      the sentence was translated around its terms
  term_only  the segment is nothing but terms: it never reached the model Stored with each translation and summed by the demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from glossary.enforcement import FixedSpan

MAX_FAILURES_LISTED = 20  # per term: the count is exact, the list is a sample


@dataclass
class TermReport:
    entry_id: str
    term: str
    source_occurrences: int = 0
    rendered_occurrences: int = 0
    methods: dict[str, int] = field(default_factory=dict)  # rendered occurrences per method
    failed: int = 0
    failures: list[dict] = field(default_factory=list)  # [{"method", "reason"}], at most MAX_FAILURES_LISTED

    @property
    def method(self) -> str | None:
        """The methods used, joined: "mask", "mask+split", "mask+term_only", …; None if none."""
        used = sorted(m for m, n in self.methods.items() if n)
        return "+".join(used) or None

    def add_failure(self, method: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_LISTED:
            self.failures.append({"method": method, "reason": reason})

    def copy(self) -> "TermReport":
        return TermReport(
            self.entry_id,
            self.term,
            self.source_occurrences,
            self.rendered_occurrences,
            dict(self.methods),
            self.failed,
            [dict(f) for f in self.failures],
        )

    def merge(self, other: "TermReport") -> "TermReport":
        return TermReport(
            self.entry_id,
            self.term or other.term,
            self.source_occurrences + other.source_occurrences,
            self.rendered_occurrences + other.rendered_occurrences,
            {m: self.methods.get(m, 0) + other.methods.get(m, 0) for m in sorted({*self.methods, *other.methods})},
            self.failed + other.failed,
            [dict(f) for f in (self.failures + other.failures)[:MAX_FAILURES_LISTED]],
        )

    def to_dict(self) -> dict:
        return {
            "entry_id": self.entry_id,
            "term": self.term,
            "source_occurrences": self.source_occurrences,
            "rendered_occurrences": self.rendered_occurrences,
            "method": self.method,
            "methods": dict(self.methods),
            "failed": self.failed,
            "failures": [dict(f) for f in self.failures],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TermReport":
        return cls(
            data["entry_id"],
            data.get("term", ""),
            data.get("source_occurrences", 0),
            data.get("rendered_occurrences", 0),
            dict(data.get("methods", {})),
            data.get("failed", len(data.get("failures", []))),
            list(data.get("failures", [])),
        )


@dataclass
class GlossaryReport:
    """Per glossary entry: source occurrences, renderings placed in the target, how, and failures."""

    terms: dict[str, TermReport] = field(default_factory=dict)

    def _term(self, entry_id: str, term: str | None) -> TermReport:
        return self.terms.setdefault(entry_id, TermReport(entry_id, term or ""))

    def record_occurrence(
        self, entry_id: str, term: str | None, method: str, rendered: bool, reason: str | None = None
    ) -> None:
        report = self._term(entry_id, term)
        report.source_occurrences += 1
        if rendered:
            report.rendered_occurrences += 1
            report.methods[method] = report.methods.get(method, 0) + 1
        else:
            report.add_failure(method, reason or "rendering could not be placed")

    def record(self, spans: list[FixedSpan], placed: list, method: str, reason: str | None = None) -> None:
        """One segment's spans; `placed[i]` is the target range of span i, or None/False if it failed.

        Spans without an entry_id (protected markup) are not glossary terms and are not counted.
        """
        placed = list(placed) + [None] * (len(spans) - len(placed))
        for span, target in zip(spans, placed):
            if span.entry_id is not None:
                self.record_occurrence(span.entry_id, span.term, method, bool(target), reason)

    def record_methods(self, spans: list[FixedSpan], methods: list[str]) -> None:
        """One segment whose every span was placed, each by its own method."""
        for span, method in zip(spans, methods):
            if span.entry_id is not None:
                self.record_occurrence(span.entry_id, span.term, method, True)

    def merge(self, *others: "GlossaryReport") -> "GlossaryReport":
        """A new report summing this one and `others` (e.g. all segments of an article)."""
        merged = GlossaryReport({entry_id: t.copy() for entry_id, t in self.terms.items()})
        for other in others:
            for entry_id, report in other.terms.items():
                mine = merged.terms.get(entry_id)
                merged.terms[entry_id] = mine.merge(report) if mine else report.copy()
        return merged

    @property
    def source_occurrences(self) -> int:
        return sum(t.source_occurrences for t in self.terms.values())

    @property
    def rendered_occurrences(self) -> int:
        return sum(t.rendered_occurrences for t in self.terms.values())

    def to_dict(self) -> dict:
        return {
            "terms": [t.to_dict() for t in sorted(self.terms.values(), key=lambda t: (t.term.casefold(), t.entry_id))],
            "source_occurrences": self.source_occurrences,
            "rendered_occurrences": self.rendered_occurrences,
            "failed": sum(t.failed for t in self.terms.values()),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "GlossaryReport":
        return cls({t["entry_id"]: TermReport.from_dict(t) for t in data.get("terms", [])})
