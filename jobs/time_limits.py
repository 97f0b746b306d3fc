"""Task time limits derived from the article's size, fixed at submission.

Bounded segments make a language's work about linear in its characters, so a
limit proportional to the size (per model hop: a pivot route translates
twice) stops only a task that is stuck, never a large article that is merely
slow. The soft limit fails the language with the reason; the hard limit (a
little later) ends a worker process stuck inside the model, and the sweeper
then fails the language with the same reason.
"""

from __future__ import annotations

import math


def time_limits(characters: int, hops: int, base_seconds: int, seconds_per_1000_chars: int) -> dict:
    soft = base_seconds + math.ceil(characters / 1000 * seconds_per_1000_chars * max(1, hops))
    return {"soft": soft, "hard": soft + max(30, soft // 10)}
