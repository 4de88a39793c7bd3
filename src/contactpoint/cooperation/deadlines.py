"""Deadline clocks of a cooperation request, computed from rule data and events. PURE.

Plain values in, plain values out: a :class:`~contactpoint.cooperation.rules.ClockRule`, the
request's events (received, acknowledged, clarification requested / answered, extended,
answered, refused, mla_received, ...) and "now". No database, no clock of its own, so the
same function serves the pages, the API, the escalation job and the property tests.

Invariants (tested with Hypothesis):
- a pause (clarification requested, then answered) never makes a clock end earlier;
- an extension is accepted only where the rule allows it, and at most ``max`` times;
- a clock never ends before the request was received.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contactpoint.cooperation.rules import ClockRule, RequestType

PAUSE = "clarification_requested"
RESUME = "clarification_answered"
EXTEND = "extended"
STOPS = ("refused", "withdrawn")  # end every clock that has not finished otherwise
# "Due soon" starts when a quarter of the clock is left, but never more than 3 days ahead.
DUE_SOON_MAX = timedelta(days=3)


class ClockState(StrEnum):
    NOT_STARTED = "not started"
    RUNNING = "running"
    DUE_SOON = "due soon"
    PAUSED = "paused"
    OVERDUE = "overdue"  # a deadline passed without the required act
    MET = "met"  # the required act happened (``late`` says whether after the deadline)
    EXPIRED = "expired"  # a period (preservation) ended
    CONTINUED = "continued"  # a period continues without end (e.g. the MLA request arrived)
    STOPPED = "stopped"  # the request was refused or withdrawn


OPEN_STATES = (ClockState.RUNNING, ClockState.DUE_SOON, ClockState.PAUSED, ClockState.OVERDUE)


class ExtensionNotAllowed(ValueError):
    """The rule does not allow (another) extension of this clock."""


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    clock: str | None = None  # for extensions: which clock (None: every extendable clock)


@dataclass(frozen=True)
class Clock:
    rule: ClockRule
    state: ClockState
    started_at: datetime | None
    due_at: datetime | None  # while paused: where it would end if resumed now
    remaining: timedelta | None  # negative once overdue; frozen while paused
    paused_for: timedelta
    extensions: int
    finished_at: datetime | None
    late: bool = False

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def duration_of(rule: ClockRule, emergency: bool) -> timedelta:
    if emergency and rule.emergency_duration is not None:
        return rule.emergency_duration
    return rule.duration


def due_soon_window(duration: timedelta) -> timedelta:
    return min(duration / 4, DUE_SOON_MAX)


def compute(
    rule: ClockRule, events: Iterable[Event], now: datetime, *, emergency: bool = False
) -> Clock:
    """The state of one clock at ``now``. Raises ExtensionNotAllowed on a forbidden extension."""
    ordered = sorted(events, key=lambda e: e.at)
    start = next((e.at for e in ordered if e.kind == rule.starts_on), None)
    if start is None:
        return Clock(rule, ClockState.NOT_STARTED, None, None, None, timedelta(0), 0, None)
    duration = duration_of(rule, emergency)
    due = start + duration
    paused_since: datetime | None = None
    paused_for = timedelta(0)
    extensions = 0
    finished: tuple[ClockState, datetime] | None = None
    for ev in ordered:
        if ev.at < start or finished is not None:
            continue
        if ev.kind in rule.met_by:
            finished = (ClockState.MET, ev.at)
        elif ev.kind in STOPS:
            finished = (ClockState.STOPPED, ev.at)
        elif rule.continues_on and ev.kind == rule.continues_on and ev.at <= due:
            finished = (ClockState.CONTINUED, ev.at)
        elif ev.kind == PAUSE and rule.pausable and paused_since is None and ev.at < due:
            paused_since = ev.at
        elif ev.kind == RESUME and paused_since is not None:
            paused_for += ev.at - paused_since
            due += ev.at - paused_since
            paused_since = None
        elif ev.kind == EXTEND and ev.clock in (None, rule.name):
            if rule.extension is None:
                if ev.clock is None:
                    continue  # a request-wide extension leaves clocks without one alone
                raise ExtensionNotAllowed(f"{rule.label}: the rule allows no extension")
            if rule.extension.max is not None and extensions >= rule.extension.max:
                raise ExtensionNotAllowed(
                    f"{rule.label}: at most {rule.extension.max} extension(s) ({rule.citation})"
                )
            if ev.at > due:
                raise ExtensionNotAllowed(f"{rule.label}: it ended before the extension")
            extensions += 1
            due += timedelta(days=rule.extension.days)
    if finished is not None:
        state, at = finished
        if paused_since is not None:  # finished while paused: the pause ran until then
            paused_for += at - paused_since
            due += at - paused_since
        late = state is ClockState.MET and rule.kind == "deadline" and at > due
        return Clock(rule, state, start, due, None, paused_for, extensions, at, late)
    if paused_since is not None:
        left = due - paused_since
        projected = due + max(now - paused_since, timedelta(0))
        return Clock(
            rule,
            ClockState.PAUSED,
            start,
            projected,
            left,
            paused_for + (now - paused_since),
            extensions,
            None,
        )
    left = due - now
    if left <= timedelta(0):
        state = ClockState.OVERDUE if rule.kind == "deadline" else ClockState.EXPIRED
        return Clock(
            rule,
            state,
            start,
            due,
            left,
            paused_for,
            extensions,
            due if state is ClockState.EXPIRED else None,
        )
    state = ClockState.DUE_SOON if left <= due_soon_window(duration) else ClockState.RUNNING
    return Clock(rule, state, start, due, left, paused_for, extensions, None)


def compute_all(
    rtype: RequestType,
    events: Sequence[Event],
    now: datetime,
    *,
    emergency: bool = False,
    notification: bool = False,
) -> list[Clock]:
    """Every clock of a request type that applies (emergency-only clocks only in emergencies)."""
    return [
        compute(rule, events, now, emergency=emergency)
        for rule in rtype.clocks
        if rule.applies(emergency=emergency, notification=notification)
    ]


def may_extend(rule: ClockRule, events: Sequence[Event], now: datetime) -> str | None:
    """None when one more extension of ``rule`` at ``now`` is allowed, else the reason."""
    try:
        compute(rule, [*events, Event(EXTEND, now, rule.name)], now)
    except ExtensionNotAllowed as exc:
        return str(exc)
    return None


def notification_required(rtype: RequestType, data_categories: Iterable[str]) -> bool:
    """Whether the enforcing State must be notified (Reg. 2023/1543 Art. 8: traffic data
    other than for identification only, and content data)."""
    wanted = set(rtype.notification_for)
    return bool(wanted and wanted.intersection(c.strip().lower() for c in data_categories))


def humanise(delta: timedelta | None) -> str:
    """'2 d 3 h', '5 h 10 min', '-1 h 5 min' (overdue) for pages and notifications."""
    if delta is None:
        return "—"
    sign = "-" if delta < timedelta(0) else ""
    secs = int(abs(delta).total_seconds())
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"
