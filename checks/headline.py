"""A headline longer than the job allows (optional, per job: `headline_max`)."""

from __future__ import annotations

from checks.findings import INFO, Finding, Pair


def check(pair: Pair, source: str, target: str, limit: int | None = None) -> list[Finding]:
    if limit is None or pair.unit != 0 or len(pair.target) <= limit:
        return []
    return [
        Finding(
            "headline.long",
            "headline",
            INFO,
            f"the headline is {len(pair.target)} characters, over the {limit} allowed",
            None,
            (limit, len(pair.target)),
        )
    ]
