"""Per-key rate limits and character quotas, counted in Redis so that every API
process shares the same counts.

The counting is the `limits` library's (the storage behind Flask-Limiter):
its sliding-window counter checks and charges in one Lua script, so two
processes racing for the last unit cannot both get it, and a refused request
charges nothing. Limits are written in its notation: "600/minute",
"1000000/day", "3 per 2 seconds"; `UNLIMITED` turns one off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import redis
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

UNLIMITED = "unlimited"


class InvalidLimit(ValueError):
    pass


def parse_limit(value: str) -> RateLimitItem | None:
    """A limit string as a `limits` item; None for `UNLIMITED`. InvalidLimit if malformed."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidLimit("a limit must be a string such as '600/minute' or 'unlimited'")
    if value.strip().lower() == UNLIMITED:
        return None
    try:
        item = parse(value)
    except ValueError:
        raise InvalidLimit(f"{value!r} is not a limit such as '600/minute', '1000000/day' or 'unlimited'")
    if item.amount <= 0:
        raise InvalidLimit(f"{value!r}: the amount must be positive (use 'unlimited' for none)")
    return item


def describe(item: RateLimitItem | None) -> str:
    """'600 per 1 minute' as people write it: '600/minute', '3 per 2 seconds'."""
    if item is None:
        return UNLIMITED
    unit = item.GRANULARITY.name
    return f"{item.amount}/{unit}" if item.multiples == 1 else f"{item.amount} per {item.multiples} {unit}s"


# Take `amount` back from the sliding window's counters: the current window
# first (where the charge went), then the previous one if the window moved on
# since; DECRBY keeps each key's expiry, and no counter goes below zero.
_REFUND = """
local amount = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
    if amount <= 0 then break end
    local count = tonumber(redis.call('get', key) or '0')
    local take = math.min(count, amount)
    if take > 0 then redis.call('decrby', key, take) end
    amount = amount - take
end
return amount
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: str  # the limit applied, as written (or "unlimited")
    remaining: int | None  # None when unlimited
    retry_after: int = 0  # whole seconds until a retry can succeed (when refused)


class Quotas:
    """Two counters per key: requests (`rate_limit`) and characters submitted
    for translation (`char_quota`). A key's own limit, when it has one,
    replaces the default."""

    def __init__(self, client: redis.Redis, url: str, default_rate: str, default_chars: str):
        self.default_rate = parse_limit(default_rate)
        self.default_chars = parse_limit(default_chars)
        # The app's own connection pool: no second set of connections to Redis.
        storage = RedisStorage(url, connection_pool=client.connection_pool, key_prefix="quota")
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self._refund = client.register_script(_REFUND)

    def _limit(self, own: str | None, default: RateLimitItem | None) -> RateLimitItem | None:
        return parse_limit(own) if own else default

    def request(self, key: Any) -> Verdict:
        """Count one request of `key` (an access.keys.ApiKey); refused when over its rate limit."""
        return self._charge(self._limit(key.rate_limit, self.default_rate), ("requests", key.id), 1)

    def characters(self, key: Any, count: int) -> Verdict:
        """Charge `count` characters to `key`'s quota; refused (charging nothing) when they do not fit."""
        return self._charge(self._limit(key.char_quota, self.default_chars), ("characters", key.id), count)

    def open_request(self, what: str, ident: str, limit: str) -> Verdict:
        """Count one request to an endpoint open without a key against `limit`, per
        `ident` (e.g. the file a download names)."""
        return self._charge(parse_limit(limit), (what, ident), 1)

    def refund_characters(self, key: Any, count: int) -> None:
        """Give back `count` characters charged by `characters` to a request that
        was refused afterwards (a refused request costs nothing)."""
        item = self._limit(key.char_quota, self.default_chars)
        if item is None or count <= 0:
            return
        window = item.key_for("characters", key.id)
        # The limits library's window keys (pinned limits 5.8.0): private helpers, so this
        # refund is tested (tests/test_refusals_cost_nothing.py) against the version pinned.
        storage: Any = self.limiter.storage
        self._refund(
            keys=[
                storage.prefixed_key(storage._current_window_key(window)),
                storage.prefixed_key(storage._previous_window_key(window)),
            ],
            args=[count],
        )

    def usage(self, key: Any) -> dict[str, dict[str, Any]]:
        """What `key` has left of each limit, without charging anything."""
        report: dict[str, dict[str, Any]] = {}
        for name, item, ident in (
            ("requests", self._limit(key.rate_limit, self.default_rate), "requests"),
            ("characters", self._limit(key.char_quota, self.default_chars), "characters"),
        ):
            if item is None:
                report[name] = {"limit": UNLIMITED, "remaining": None}
                continue
            stats = self.limiter.get_window_stats(item, ident, key.id)
            report[name] = {"limit": describe(item), "remaining": stats.remaining}
        return report

    def _charge(self, item: RateLimitItem | None, identifiers: tuple[str, str], cost: int) -> Verdict:
        if item is None:
            return Verdict(True, UNLIMITED, None)
        if self.limiter.hit(item, *identifiers, cost=cost):
            return Verdict(True, describe(item), None)
        stats = self.limiter.get_window_stats(item, *identifiers)
        if cost > item.amount:
            # Can never fit: say so rather than promise a retry that fails again.
            retry_after = item.get_expiry()
        else:
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(False, describe(item), stats.remaining, retry_after)
