"""The correlator decides as client-go's does: combine the 10th similar event and later ones,
let a source write 25 events about an object and one more every 5 minutes, forget the least
recently used beyond 4,096 entries per cache."""

from __future__ import annotations

from reconciler.api.correlator import (
    AGGREGATE_INTERVAL,
    AGGREGATE_MAX_EVENTS,
    LRU_ENTRIES,
    SPAM_BURST,
    SPAM_REFILL,
    Correlator,
    Uncorrelated,
)


def combines(correlator: Correlator, uid: str, event_type: str, reason: str, message: str) -> bool:
    return correlator.judge(uid, event_type, reason, message, 0.0)[0]


def admits(correlator: Correlator, uid: str, now: float) -> bool:
    return correlator.judge(uid, "Warning", "BackOff", "Back-off restarting", now)[1]


def created(correlator: Correlator, names: range, *, now: float = 0.0) -> list[bool]:
    """Whether each `Created pod` event of one RC is combined."""
    return [
        correlator.judge("rc-uid", "Normal", "SuccessfulCreate", f"Created pod: {n}", now)[0]
        for n in names
    ]


def test_the_tenth_distinct_message_and_all_later_ones_are_combined() -> None:
    correlator = Correlator()
    assert created(correlator, range(12)) == [False] * 9 + [True] * 3
    assert AGGREGATE_MAX_EVENTS == 10


def test_a_repeated_message_counts_once_among_similar_ones() -> None:
    correlator = Correlator()
    assert created(correlator, range(5)) == [False] * 5
    assert created(correlator, range(5)) == [False] * 5


def test_other_reasons_types_and_objects_are_counted_apart() -> None:
    correlator = Correlator()
    created(correlator, range(9))
    assert not combines(correlator, "rc-uid", "Normal", "SuccessfulDelete", "Deleted pod: 0")
    assert not combines(correlator, "rc-uid", "Warning", "SuccessfulCreate", "Created pod: x")
    assert not combines(correlator, "other-uid", "Normal", "SuccessfulCreate", "Created pod: x")
    assert combines(correlator, "rc-uid", "Normal", "SuccessfulCreate", "Created pod: 9")


def test_ten_minutes_of_quiet_starts_the_count_afresh() -> None:
    correlator = Correlator()
    created(correlator, range(9))
    assert created(correlator, range(9, 10), now=AGGREGATE_INTERVAL + 1) == [False]
    assert created(correlator, range(20, 28), now=AGGREGATE_INTERVAL + 1) == [False] * 8
    assert created(correlator, range(30, 31), now=AGGREGATE_INTERVAL + 1) == [True]


def test_a_source_writes_a_burst_about_an_object_then_one_event_per_refill() -> None:
    correlator = Correlator()
    assert [admits(correlator, "pod-uid", 0.0) for _ in range(SPAM_BURST + 2)] == [True] * 25 + [
        False
    ] * 2
    assert admits(correlator, "another-pod-uid", 0.0)
    assert not admits(correlator, "pod-uid", SPAM_REFILL - 1)
    assert admits(correlator, "pod-uid", SPAM_REFILL)
    assert not admits(correlator, "pod-uid", SPAM_REFILL)


def test_a_budget_refills_no_further_than_the_burst() -> None:
    correlator = Correlator()
    for _ in range(SPAM_BURST):
        admits(correlator, "pod-uid", 0.0)
    later = 100 * SPAM_BURST * SPAM_REFILL
    assert [admits(correlator, "pod-uid", later) for _ in range(SPAM_BURST + 1)] == [True] * 25 + [
        False
    ]


def test_dropped_occurrences_are_handed_to_the_next_write_once() -> None:
    correlator = Correlator()
    correlator.drop("kubia.abc")
    correlator.drop("kubia.abc")
    assert correlator.take_dropped("kubia.abc") == 2
    assert correlator.take_dropped("kubia.abc") == 0
    assert correlator.take_dropped("kubia.other") == 0


def test_the_least_recently_used_object_is_forgotten_beyond_the_cache_size() -> None:
    correlator = Correlator()
    for _ in range(SPAM_BURST):
        admits(correlator, "first", 0.0)
    for n in range(LRU_ENTRIES):
        admits(correlator, f"pod-{n}", 0.0)
    assert admits(correlator, "first", 0.0)  # a fresh budget: its spent one was forgotten


def test_the_budget_is_per_object_whatever_the_reasons() -> None:
    correlator = Correlator()
    verdicts = [correlator.judge("pod-uid", "Normal", f"Reason{n}", "m", 0.0) for n in range(26)]
    assert [admitted for _, admitted in verdicts] == [True] * 25 + [False]


def test_an_uncorrelated_recorder_combines_and_drops_nothing() -> None:
    correlator = Uncorrelated()
    verdicts = [correlator.judge("pod-uid", "Normal", "R", f"m{n}", 0.0) for n in range(30)]
    assert set(verdicts) == {(False, True)}


def test_a_forgotten_object_is_remembered_no_more() -> None:
    correlator = Correlator()
    for _ in range(SPAM_BURST):
        admits(correlator, "gone-pod-uid", 0.0)
    correlator.forget("gone-pod-uid")
    correlator.forget("never-seen-uid")
    assert admits(correlator, "gone-pod-uid", 0.0)
