"""Automatic checks on every translated segment: where an editor should look.

    from checks import Pair, check_segments
    report = check_segments([Pair(source, target), ...], "en", "pt")
    report.to_dict()   # per flagged segment its findings; a count per check

Each check is a function (pair, source language, target language) -> findings,
in a module of its own; `CHECKS` lists them by the name an editor filters by.
Plain functions over text: no Flask, no Celery, no model (whoever has a
reverse model passes in a function that translates back, to confirm what the
names and clause checks find).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from checks import glossary, headline, length, marks, names, numbers, repetition, units, untranslated
from checks.findings import ERROR, INFO, RANK, SEVERITIES, WARNING, Finding, GlossarySpan, Pair

__all__ = [
    "CHECKS",
    "ERROR",
    "INFO",
    "SEVERITIES",
    "WARNING",
    "Finding",
    "GlossarySpan",
    "Options",
    "Pair",
    "Report",
    "SegmentReport",
    "check_pair",
    "check_segments",
    "select",
]

# The families findings are filed under, in the order a report lists them.
CHECKS = (
    "numbers",
    "currency",
    "names",
    "untranslated",
    "omission",
    "repetition",
    "marks",
    "identifiers",
    "glossary",
    "headline",
)


@dataclass(frozen=True)
class Options:
    headline_max: int | None = None  # characters; None: headlines are not measured
    # Language identification of a run of words (text -> translation.detection.Detection); None: lingua.
    detect: Callable | None = None


def check_pair(
    pair: Pair,
    source: str,
    target: str,
    options: Options = Options(),
    back: str | None = None,
    renderings: dict[str, str] | None = None,
) -> list[Finding]:
    """Every finding on one segment; `back` is its translation translated back, when there is one; `renderings`
    the model's translations of the words of names found missing (`names.check`)."""
    if not pair.target.strip():
        return []
    findings = (
        numbers.check(pair, source, target)
        + units.check(pair, source, target)
        + names.check(pair, source, target, back, renderings)
        + untranslated.check(pair, source, target, options.detect)
        + length.check(pair, source, target, back)
        + repetition.check(pair, source, target)
        + marks.check(pair, source, target)
        + glossary.check(pair, source, target)
        + headline.check(pair, source, target, options.headline_max)
    )
    return _ordered(findings)


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Most serious first, then in the order of CHECKS."""
    return sorted(findings, key=lambda f: (RANK[f.severity], CHECKS.index(f.check)))


@dataclass
class SegmentReport:
    index: int
    pair: Pair
    findings: list[Finding]

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "unit": self.pair.unit,
            "source": self.pair.source,
            "target": self.pair.target,
            "severity": self.findings[0].severity,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Report:
    segments: int
    flagged: list[SegmentReport] = field(default_factory=list)
    back_translated: int | None = None  # segments translated back to confirm a finding; None: no reverse model

    def counts(self) -> dict[str, int]:
        """Segments flagged per check (a segment with two number findings counts once)."""
        per = Counter(check for s in self.flagged for check in {f.check for f in s.findings})
        return {check: per[check] for check in CHECKS}

    def to_dict(self) -> dict:
        severities = Counter(s.findings[0].severity for s in self.flagged)
        return {
            "segments": self.segments,
            "flagged": len(self.flagged),
            "by_severity": {s: severities[s] for s in SEVERITIES},
            "by_check": self.counts(),
            "clauses_checked": self.back_translated is not None,
            "back_translated": self.back_translated or 0,
            "flagged_segments": [s.to_dict() for s in self.flagged],
        }


# The checks that read a back translation: the names check accepts a name that comes back ("Haia" as The Hague),
# the clause check a clause whose words come back. Without one both must guess from the target alone, and most of
# their false alarms come from that guess (docs/checks-results.md).
READS_BACK = ("names", "omission")


def check_segments(
    pairs: list[Pair],
    source: str,
    target: str,
    options: Options = Options(),
    back_translate: Callable[[list[str]], list[str]] | None = None,
    translate: Callable[[list[str]], list[str]] | None = None,
) -> Report:
    """The findings of every segment. `back_translate` (texts in `target` -> texts in `source`), when given, is
    asked only for the segments where a check of READS_BACK found something without it, or where the names check
    needs it to judge a capitalised common word (`names.needs_back`); those segments are checked again with their
    back translation, and that verdict stands. A clean segment costs no model call: of the NTREX development
    half's news, 3.5% of the real model's segments and 6.4% of the human references were translated back.
    `translate` (texts in `source` -> texts in `target`), when given, then translates the words of the names
    still found missing (Counter, Committee, Cologne), all in one call, and a word whose translation is in the
    target (contador, Comissão, Colônia) was translated, not lost."""
    findings = [check_pair(pair, source, target, options) for pair in pairs]
    suspects = [
        i
        for i, found in enumerate(findings)
        if any(f.check in READS_BACK for f in found)
        or (back_translate is not None and names.needs_back(pairs[i], source, target))
    ]
    backs: dict[int, str] = {}
    if back_translate is not None and suspects:
        backs = dict(zip(suspects, back_translate([pairs[i].target for i in suspects])))
        for i, back in backs.items():
            findings[i] = check_pair(pairs[i], source, target, options, back)
    words = {i: names.to_render(pairs[i], found) for i, found in enumerate(findings)} if translate else {}
    words = {i: w for i, w in words.items() if w}
    if translate is not None and words:
        asked = sorted(set().union(*words.values()))
        renderings = dict(zip(asked, translate(asked)))
        for i in words:  # only the names check reads renderings: the other findings stand
            others = [f for f in findings[i] if f.check != "names"]
            findings[i] = _ordered(others + names.check(pairs[i], source, target, backs.get(i), renderings))
    report = Report(len(pairs), back_translated=len(suspects) if back_translate is not None else None)
    for index, (pair, found) in enumerate(zip(pairs, findings)):
        if found:
            report.flagged.append(SegmentReport(index, pair, found))
    return report


def select(report: dict, only: tuple[str, ...] = (), severity: str | None = None) -> dict:
    """A stored report (`Report.to_dict`) narrowed to the findings of the checks `only` (all when empty) at
    `severity` or worse; segments left without findings drop out, the counts are those of what is left.
    Segments come most serious first (errors, then most findings), the order an editor works in."""
    worst = RANK[severity] if severity else max(RANK.values())
    segments = []
    for segment in report.get("flagged_segments", []):
        findings = [f for f in segment["findings"] if (not only or f["check"] in only) and RANK[f["severity"]] <= worst]
        if findings:
            segments.append({**segment, "severity": findings[0]["severity"], "findings": findings})
    segments.sort(key=lambda s: (RANK[s["severity"]], -len(s["findings"]), s["index"]))
    per = Counter(check for s in segments for check in {f["check"] for f in s["findings"]})
    severities = Counter(s["severity"] for s in segments)
    return {
        "segments": report.get("segments", 0),
        "flagged": len(segments),
        "by_severity": {s: severities[s] for s in SEVERITIES},
        "by_check": {c: per[c] for c in CHECKS if not only or c in only},
        "clauses_checked": report.get("clauses_checked", False),
        "flagged_segments": segments,
    }
