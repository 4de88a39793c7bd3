"""Hypothesis properties of the pure clocks, over every clock rule that ships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpoint.cooperation import rules
from contactpoint.cooperation.deadlines import (
    PAUSE,
    RESUME,
    ClockState,
    Event,
    ExtensionNotAllowed,
    compute,
)

CLOCKS = [c for t in rules.load().types.values() for c in t.clocks]
T0 = datetime(2026, 9, 1, tzinfo=UTC)
KINDS = [
    "acknowledged",
    "answered",
    "answered_partly",
    "refused",
    "mla_received",
    "production_confirmed",
    "validated",
    PAUSE,
    RESUME,
    "extended",
]

offsets = st.integers(min_value=0, max_value=200 * 24 * 60).map(lambda m: timedelta(minutes=m))
other_events = st.lists(
    st.tuples(st.sampled_from(KINDS), offsets).map(lambda x: Event(x[0], T0 + x[1])), max_size=8
)


def run(rule, events, now, emergency=False):  # type: ignore[no-untyped-def]
    try:
        return compute(rule, events, now, emergency=emergency)
    except ExtensionNotAllowed:
        return None


@settings(max_examples=300, deadline=None)
@given(
    rule=st.sampled_from(CLOCKS),
    events=other_events,
    pauses=st.lists(st.tuples(offsets, offsets), max_size=3),
    now=offsets,
    emergency=st.booleans(),
)
def test_a_pause_never_shortens_a_clock(rule, events, pauses, now, emergency) -> None:  # type: ignore[no-untyped-def]
    base = [Event("received", T0), *[e for e in events if e.kind not in (PAUSE, RESUME)]]
    paused = list(base)
    for start, length in pauses:
        paused += [Event(PAUSE, T0 + start), Event(RESUME, T0 + start + length)]
    without = run(rule, base, T0 + now, emergency)
    with_pause = run(rule, paused, T0 + now, emergency)
    if without is None or with_pause is None:
        return
    assert with_pause.due_at is not None and without.due_at is not None
    assert with_pause.due_at >= without.due_at


@settings(max_examples=300, deadline=None)
@given(rule=st.sampled_from(CLOCKS), n=st.integers(min_value=1, max_value=4))
def test_an_extension_only_where_the_rule_allows_it(rule, n) -> None:  # type: ignore[no-untyped-def]
    # Extensions well before the end, so only the rule decides.
    events = [Event("received", T0)] + [
        Event("extended", T0 + timedelta(minutes=i + 1), rule.name) for i in range(n)
    ]
    ext = rule.extension
    if ext is None or (ext.max is not None and n > ext.max):
        with pytest.raises(ExtensionNotAllowed):
            compute(rule, events, T0)
    else:
        clock = compute(rule, events, T0)
        assert clock.extensions == n
        assert clock.due_at == T0 + rule.duration + timedelta(days=ext.days * n)


@settings(max_examples=300, deadline=None)
@given(
    rule=st.sampled_from(CLOCKS),
    events=other_events,
    received=offsets,
    now=offsets,
    emergency=st.booleans(),
)
def test_expiry_never_before_receipt(rule, events, received, now, emergency) -> None:  # type: ignore[no-untyped-def]
    got = T0 + received
    clock = run(rule, [Event("received", got), *events], T0 + now, emergency)
    if clock is None:
        return
    assert clock.started_at == got
    assert clock.due_at is not None and clock.due_at >= got
    if clock.state is ClockState.EXPIRED:
        assert clock.finished_at is not None and clock.finished_at >= got


def test_a_clock_that_does_not_allow_pauses_ignores_clarification() -> None:
    rule = rules.load().get("urgent-24-7").clock("acknowledge")
    events = [Event("received", T0), Event(PAUSE, T0 + timedelta(hours=1))]
    clock = compute(rule, events, T0 + timedelta(hours=9))
    assert clock.state is ClockState.OVERDUE


def test_a_paused_clock_freezes_what_is_left() -> None:
    rule = rules.load().get("epoc").clock("produce")
    events = [Event("received", T0), Event(PAUSE, T0 + timedelta(days=2))]
    clock = compute(rule, events, T0 + timedelta(days=30))
    assert clock.state is ClockState.PAUSED and clock.remaining == timedelta(days=8)
    resumed = [*events, Event(RESUME, T0 + timedelta(days=5))]
    clock = compute(rule, resumed, T0 + timedelta(days=6))
    assert clock.state is ClockState.RUNNING and clock.due_at == T0 + timedelta(days=13)
