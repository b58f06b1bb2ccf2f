"""AGE, LAST SEEN and every other "how long ago" kubectl prints.

`human_duration` is apimachinery's duration.HumanDuration (about 2-3 significant figures: 119s,
3m20s, 179m, 5h30m, 2d3h, 3y45d); `since` is kubectl's translateTimestampSince over an RFC 3339
timestamp, measured against the simulation's "now" that the caller passes in. Pure functions,
shared by the CLI's printers and the dashboard.
"""

from __future__ import annotations

from reconciler.clock import parse_rfc3339

UNKNOWN = "<unknown>"
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 365 * DAY


def human_duration(seconds: float) -> str:
    """duration.HumanDuration: a small negative skew is "0s", a larger one `<invalid>`."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 2 * MINUTE:
        return f"{whole}s"
    minutes = whole // MINUTE
    if minutes < 10:
        rest = whole % MINUTE
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 3 * 60:
        return f"{minutes}m"
    hours = whole // HOUR
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None, now: float) -> str:
    """How long ago an RFC 3339 timestamp was; `<unknown>` when there is none."""
    if not timestamp:
        return UNKNOWN
    return human_duration(now - parse_rfc3339(timestamp))
