"""The checks over what `translation.article` produced: its segments and their
translations (duck-typed: no import of the translation package), with the
glossary renderings and markup placements the pipeline knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from checks import Options, Report, check_segments
from checks.findings import GlossarySpan, Pair

if TYPE_CHECKING:  # the checks know nothing of jobs; a worker hands them its request
    from jobs.record import JobRequest


def pairs(segments_and_translations: Iterable[tuple]) -> list[Pair]:
    """`translation.article.Segment` and `SegmentTranslation` pairs -> `Pair`s. A fixed span with a glossary entry
    is a glossary rendering; one without is protected markup (kept verbatim, nothing to check)."""
    out = []
    for segment, translation in segments_and_translations:
        glossary = tuple(
            GlossarySpan((f.start, f.end), tuple(placed) if placed else None, f.replacement, f.term or "")
            for f, placed in zip(segment.fixed, translation.fixed_in_target)
            if f.entry_id
        )
        inline = tuple(
            (tuple(s), tuple(t) if t else None)
            for s, t in zip(segment.inline, translation.inline_in_target or [None] * len(segment.inline))
        )
        out.append(Pair(segment.text, translation.text, segment.unit, glossary, inline))
    return out


def check_translation(
    segments_and_translations: Iterable[tuple],
    source: str,
    target: str,
    options: Options | None = None,
    back_translate: Callable[[list[str]], list[str]] | None = None,
    translate: Callable[[list[str]], list[str]] | None = None,
) -> Report:
    """The report of one translated article. `back_translate` (texts in `target` -> texts in `source`), when
    given, confirms what the clause check and the names check find; `translate` (`source` -> `target`) renders
    the words of names still found missing (`check_segments`)."""
    return check_segments(
        pairs(segments_and_translations), source, target, options or Options(), back_translate, translate
    )


@dataclass(frozen=True)
class CheckPolicy:
    """How a worker checks each language it translates (CHECKS_* settings; a job may set `headline_max`)."""

    enabled: bool = True
    back_translate: bool = True
    headline_max: int = 0  # 0: not measured, unless the job asks

    @classmethod
    def from_settings(cls, settings) -> "CheckPolicy":
        return cls(settings.checks_enabled, settings.checks_back_translate, settings.checks_headline_max)

    def report(self, translated, source: str, target: str, router, request: JobRequest) -> dict | None:
        """The checks' report for a stored result, or None when checks are off. `router` (a
        translation.engines.Router) back-translates when that is on and the pair can be routed back."""
        if not self.enabled:
            return None
        back = forward = None
        if self.back_translate:
            # The route just translated renders the words of names found missing (Cologne: Colônia) ...
            forward = lambda texts: router.translate(texts, source, target)[0]  # noqa: E731
            try:  # ... and the reverse route, where there is one, translates flagged segments back.
                router.route(target, source)
                back = lambda texts: router.translate(texts, target, source)[0]  # noqa: E731
            except Exception:  # no reverse route: the names and clause checks judge from the target alone
                back = None
        limit = request.headline_max or self.headline_max or None
        return check_translation(translated, source, target, Options(headline_max=limit), back, forward).to_dict()
