"""Glossary: a rendering the pipeline was to put in the translation that is
not there, or not as the glossary writes it (an editor's fix, a model that
altered a placeholder). Input: the fixed spans of the segment, with where each
rendering landed (`Pair.glossary`)."""

from __future__ import annotations

from checks.findings import ERROR, Finding, Pair
from checks.text import fold, quote


def check(pair: Pair, source: str, target: str) -> list[Finding]:
    findings = []
    for span in pair.glossary:
        term = pair.source[slice(*span.source)]
        if span.target is None:
            found = fold(span.rendering) in fold(pair.target)
            if not found:
                findings.append(
                    Finding(
                        "glossary.missing",
                        "glossary",
                        ERROR,
                        f"the glossary term {quote(term)} should read {quote(span.rendering)}; that"
                        f" rendering is not in the translation",
                        span.source,
                        None,
                    )
                )
            continue
        placed = pair.target[slice(*span.target)]
        if placed != span.rendering:
            findings.append(
                Finding(
                    "glossary.contradicted",
                    "glossary",
                    ERROR,
                    f"the glossary term {quote(term)} should read {quote(span.rendering)}, the"
                    f" translation has {quote(placed)}",
                    span.source,
                    span.target,
                )
            )
    return findings
