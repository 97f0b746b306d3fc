"""The interactive path: short texts translated while the caller waits.

No job is stored: a DeepL `/v2/translate` or LibreTranslate `/translate`
request comes from the interactive worker's task straight here, and goes
through the same router (engines, pivot, segment cache), the same glossary
versions and the same enforcement as an article. With no source language,
each text's language is detected first (translation.detection), and texts of
different languages are translated separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from glossary.enforcement import DEFAULT_SCHEME
from jobs.matchers import TermMatchers, route_budget
from translation.article import translate_texts
from translation.detection import Detection, Detector
from translation.documents import DocumentError
from translation.engines import EngineStats, Router, UnsupportedPair
from translation.limits import LimitExceeded, SegmentLimits


class ShortTextError(Exception):
    """A request that cannot be served: `kind` is not-detected, unsupported-pair,
    invalid-document or limit-exceeded."""

    def __init__(self, kind: str, detail: str, **extra):
        super().__init__(detail)
        self.kind, self.detail, self.extra = kind, detail, extra

    def to_dict(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, **self.extra}


@dataclass
class ShortTexts:
    router: Router
    matchers: TermMatchers  # thread-safe: the interactive worker runs many requests at once
    detector: Detector | None
    placeholders: str = DEFAULT_SCHEME
    limits: SegmentLimits = field(default_factory=SegmentLimits)

    def detect(self, text: str) -> Detection:
        if self.detector is None:
            return Detection(None, 0.0, reason="language detection is not configured")
        return self.detector.detect(text)

    def _likeliest_source(self, detection: Detection, target: str) -> Detection:
        """Where detection cannot decide ("proton beam", "<p>Hello world</p>"), the likeliest
        candidate among the languages that can reach `target`, at its own (low) confidence.

        DeepL and LibreTranslate always answer a short text rather than refuse it; so do we,
        but only with a language that has a route to the target, and the confidence we
        report says how sure that is. Text with no words at all (numbers, emoji)
        goes through the same path from the pivot language (or the first reachable one)."""
        # Not the target itself: an undecided text taken for the target would come back
        # untranslated, where the caller asked for a translation.
        reachable = self.router.sources_for(target)
        for candidate in detection.candidates:
            if candidate.language in reachable and candidate.confidence > 0:
                return Detection(candidate.language, candidate.confidence, detection.candidates)
        if not reachable:
            return detection
        fallback = self.router.pivot if self.router.pivot in reachable else min(reachable)
        return Detection(fallback, 0.0, detection.candidates)

    def translate(self, request: dict) -> dict:
        """{texts, source (None: detect), target, format, glossaries} -> {results, stats}.

        Each result: {text, source, detected (when detected: {language, confidence})}.
        """
        texts, target = request["texts"], request["target"]
        sources: list[str] = []
        detected: list[dict | None] = []
        for index, text in enumerate(texts):
            if request.get("source"):
                sources.append(request["source"])
                detected.append(None)
                continue
            detection = self.detect(text)
            if not detection.detected:
                detection = self._likeliest_source(detection, target)
            if not detection.detected:
                where = f"text {index + 1}: " if len(texts) > 1 else ""
                raise ShortTextError(
                    "not-detected",
                    f"{where}the source language could not be detected: "
                    f"{detection.describe()}; name the source language",
                    index=index,
                )
            sources.append(detection.language)
            detected.append(detection.to_dict())
        matcher = self.matchers.for_request(request)
        outputs: list[str | None] = [None] * len(texts)
        stats = EngineStats()
        for source in dict.fromkeys(sources):
            indices = [i for i, s in enumerate(sources) if s == source]
            if source == target:
                for i in indices:  # already in the target language
                    outputs[i] = texts[i]
                continue
            try:
                translated, part_stats, _report = translate_texts(
                    self.router.for_tenant(request.get("tenant")),
                    [texts[i] for i in indices],
                    request.get("format", "text"),
                    source,
                    target,
                    matcher,
                    self.placeholders,
                    route_budget(self.router, self.limits, source, target),
                )
            except UnsupportedPair:
                raise ShortTextError(
                    "unsupported-pair",
                    f"no installed model translates {source} into {target}",
                    source=source,
                    target=target,
                )
            except DocumentError as error:
                raise ShortTextError("invalid-document", str(error))
            except LimitExceeded as error:
                raise ShortTextError("limit-exceeded", str(error), limit=error.setting, limit_value=error.limit)
            stats.add(part_stats)
            for i, text in zip(indices, translated):
                outputs[i] = text
        results = []
        for text, source, found in zip(outputs, sources, detected):
            result = {"text": text, "source": source}
            if found:
                result["detected"] = found
            results.append(result)
        return {"results": results, "stats": stats.to_dict()}
