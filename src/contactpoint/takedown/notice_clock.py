"""The clock of a notice, from its rule and its times. PURE: plain values in and out.

- The clock starts at sending or at receipt (TCO: receipt, Art. 3(3)); before receipt a
  TCO order's clock has not started ("awaiting receipt").
- A pause (force majeure, request for clarification) freezes the time left; resuming moves
  the due time later by the length of the pause.
- "Due soon" when a quarter of the clock or less is left (15 minutes of a TCO hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contactpoint.takedown.rules import ClockRule


class ClockState(StrEnum):
    NONE = "no clock"
    AWAITING_RECEIPT = "awaiting receipt"
    RUNNING = "running"
    DUE_SOON = "due soon"
    PAUSED = "paused"
    OVERDUE = "overdue"
    MET = "met"  # the provider acted (``late`` says whether after the due time)
    STOPPED = "stopped"  # withdrawn


OPEN = (ClockState.RUNNING, ClockState.DUE_SOON, ClockState.PAUSED, ClockState.OVERDUE)


@dataclass(frozen=True)
class ClockView:
    state: ClockState
    due_at: datetime | None
    remaining: timedelta | None  # negative once overdue; frozen while paused
    late: bool = False
    label: str = ""
    legal: bool = False
    citation: str = ""

    @property
    def amount(self) -> str:
        """The time left or past ("42 min"), for pages that translate the words around it."""
        return humanise(self.remaining) if self.remaining is not None else ""

    @property
    def text(self) -> str:
        """ "due in 42 min", "overdue by 2 h", "paused, 12 min left" for pages and mails."""
        if self.remaining is None:
            return str(self.state)
        if self.state is ClockState.PAUSED:
            return f"paused, {humanise(self.remaining)} left"
        if self.state is ClockState.OVERDUE:
            return f"overdue by {humanise(-self.remaining)}"
        if self.state in (ClockState.RUNNING, ClockState.DUE_SOON):
            return f"due in {humanise(self.remaining)}"
        return str(self.state)


def start_of(rule: ClockRule, sent_at: datetime, received_at: datetime | None) -> datetime | None:
    return sent_at if rule.starts_on == "sent" else received_at


def due_at(
    rule: ClockRule | None,
    sent_at: datetime,
    received_at: datetime | None,
    paused_seconds: int = 0,
) -> datetime | None:
    """When the provider must have acted; None without a clock or before it starts."""
    if rule is None:
        return None
    start = start_of(rule, sent_at, received_at)
    if start is None:
        return None
    return start + rule.duration + timedelta(seconds=paused_seconds)


def view(
    rule: ClockRule | None,
    *,
    due: datetime | None,
    paused_at: datetime | None,
    acted_at: datetime | None,
    withdrawn: bool,
    now: datetime,
) -> ClockView:
    if rule is None:
        return ClockView(ClockState.NONE, None, None)

    def out(state: ClockState, remaining: timedelta | None, late: bool = False) -> ClockView:
        return ClockView(state, due, remaining, late, rule.label, rule.legal, rule.citation)

    if acted_at is not None:
        return out(ClockState.MET, None, late=due is not None and acted_at > due)
    if withdrawn:
        return out(ClockState.STOPPED, None)
    if due is None:
        return out(ClockState.AWAITING_RECEIPT, None)
    if paused_at is not None:
        return out(ClockState.PAUSED, due - paused_at)
    left = due - now
    if left < timedelta(0):
        state = ClockState.OVERDUE
    elif left <= rule.duration / 4:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.RUNNING
    return out(state, left)


def humanise(delta: timedelta) -> str:
    """'2 d 3 h', '5 h 10 min', '42 min', '30 s' (the sign is the caller's business)."""
    secs = int(abs(delta).total_seconds())
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"
