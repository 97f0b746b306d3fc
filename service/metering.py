"""The caller's character quota as the use cases see it (`jobs.submission.Meter`):
a charge that does not fit is a 429 refusal, and a request refused after its
charge gets the characters back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from access import ApiKey, Quotas
from jobs.submission import Refusal
from service.auth import access, current_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyMeter:
    quotas: Quotas
    key: ApiKey

    def charge(self, characters: int) -> Refusal | None:
        verdict = self.quotas.characters(self.key, characters)
        if verdict.allowed:
            return None
        return Refusal(
            429,
            "quota-exceeded",
            "Character quota exceeded",
            f"This request needs {characters} characters; the key {self.key.prefix} has "
            f"{verdict.remaining} of {verdict.limit} left. Retry in {verdict.retry_after} s.",
            headers={"Retry-After": str(verdict.retry_after)},
            extra={"limit": verdict.limit, "retry_after": verdict.retry_after},
        )

    def refund(self, characters: int) -> None:
        self.quotas.refund_characters(self.key, characters)


def meter() -> KeyMeter:
    """The meter of the request's key."""
    return KeyMeter(access().quotas, current_key())
