"""Compliance figures per provider: how fast and how often notices are acted on.

The statistics are pure functions over ``NoticeFacts`` (plain values, no database), so
they are tested on their own; ``figures`` is the query layer. Definitions
(docs/compliance.md):

- time to removal: from the provider's acknowledged receipt, or from sending when there is
  no receipt before the action, to the action (removed or access disabled); never negative;
- share within 1 h / 3 d / 7 d: removed within the limit, among the notices whose outcome
  is known for that limit (acted on, refused, or older than the limit): a notice sent ten
  minutes ago does not count against the 1-hour share yet;
- refused: notices the provider refused;
- overdue: open notices (sent or received) whose due time has passed, now.
Withdrawn notices count in no figure but ``withdrawn``.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.errors import Forbidden, InvalidInput
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import Notice

ACTED: Final = frozenset({"removed", "disabled"})
OPEN: Final = frozenset({"sent", "received"})
LIMITS: Final = {
    "within_1h": timedelta(hours=1),
    "within_3d": timedelta(days=3),
    "within_7d": timedelta(days=7),
}
SORT_KEYS: Final = (
    "provider",
    "notices",
    "median_hours",
    "within_1h",
    "within_3d",
    "within_7d",
    "refused",
    "overdue",
)


@dataclass(frozen=True)
class NoticeFacts:
    provider_id: uuid.UUID
    status: str
    sent_at: datetime
    received_at: datetime | None = None
    acted_at: datetime | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class ProviderFigures:
    provider_id: uuid.UUID
    provider: str
    country: str
    notices: int
    removed: int
    median_hours: float | None
    within_1h: float | None  # shares 0..1; None when no notice is decided for that limit
    within_3d: float | None
    within_7d: float | None
    refused: int
    open: int
    overdue: int
    withdrawn: int

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["provider_id"] = str(self.provider_id)
        return out


# --- pure statistics ----------------------------------------------------------------------


def clock_start(f: NoticeFacts) -> datetime:
    """The acknowledged receipt, when it came before the action; otherwise sending. (A
    provider that acts without acknowledging is recorded as receiving at that moment, which
    says nothing about when it got the notice.)"""
    if f.received_at is not None and (f.acted_at is None or f.received_at <= f.acted_at):
        return f.received_at
    return f.sent_at


def removal_time(f: NoticeFacts) -> timedelta | None:
    """How long the provider took, for a notice acted on; None otherwise."""
    if f.status not in ACTED or f.acted_at is None:
        return None
    return max(f.acted_at - clock_start(f), timedelta(0))


def median_hours(facts: Iterable[NoticeFacts]) -> float | None:
    times = [t for t in (removal_time(f) for f in facts) if t is not None]
    if not times:
        return None
    return statistics.median(t.total_seconds() for t in times) / 3600


def share_within(facts: Iterable[NoticeFacts], limit: timedelta, now: datetime) -> float | None:
    """Removed within `limit`, among the notices whose outcome for `limit` is known."""
    decided = within = 0
    for f in facts:
        if f.status == "withdrawn":
            continue
        took = removal_time(f)
        if took is not None:
            decided += 1
            within += took <= limit
        elif f.status == "refused" or now - clock_start(f) > limit:
            decided += 1
    return within / decided if decided else None


def is_overdue(f: NoticeFacts, now: datetime) -> bool:
    return f.status in OPEN and f.due_at is not None and f.due_at < now


def provider_figures(
    provider_id: uuid.UUID, name: str, country: str, facts: Sequence[NoticeFacts], now: datetime
) -> ProviderFigures:
    counted = [f for f in facts if f.status != "withdrawn"]
    return ProviderFigures(
        provider_id=provider_id,
        provider=name,
        country=country,
        notices=len(counted),
        removed=sum(1 for f in counted if removal_time(f) is not None),
        median_hours=median_hours(counted),
        within_1h=share_within(counted, LIMITS["within_1h"], now),
        within_3d=share_within(counted, LIMITS["within_3d"], now),
        within_7d=share_within(counted, LIMITS["within_7d"], now),
        refused=sum(1 for f in counted if f.status == "refused"),
        open=sum(1 for f in counted if f.status in OPEN),
        overdue=sum(1 for f in counted if is_overdue(f, now)),
        withdrawn=len(facts) - len(counted),
    )


def sort_figures(rows: list[ProviderFigures], key: str, descending: bool) -> list[ProviderFigures]:
    """Sort by a column; rows without a value (None) always come last."""
    if key not in SORT_KEYS:
        raise InvalidInput(
            f"sort: expected one of {', '.join(SORT_KEYS)}, got {key!r}",
            errors=[{"field": "sort", "message": "unknown column"}],
        )
    have = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    have.sort(key=lambda r: (getattr(r, key), r.provider.lower()), reverse=descending)
    return have + sorted(missing, key=lambda r: r.provider.lower())


# --- query layer ----------------------------------------------------------------------------


def may_see(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can("takedown:compliance")


def own_provider_ids(session: Session, actor: Actor) -> set[uuid.UUID] | None:
    """None: every provider; otherwise the providers a provider operator answers for."""
    if (
        actor is SYSTEM
        or not actor.has_role("provider-operator")
        or actor.has_role("analyst", "contact-point-officer", "auditor", "admin")
    ):
        return None
    if actor.org_id is None:
        return set()
    return set(session.scalars(select(Provider.id).where(Provider.org_id == actor.org_id)))


def figures(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    provider_id: uuid.UUID | None = None,
    sort: str = "provider",
    descending: bool = False,
) -> list[ProviderFigures]:
    """One row per provider with notices sent in [since, until). The figures are aggregates
    over every notice to the provider (no notice's content is shown); a provider operator
    sees only their own provider's row."""
    if not may_see(actor):
        raise Forbidden("compliance figures need the permission takedown:compliance")
    if since and until and until <= since:
        raise InvalidInput(
            "until: must be after since", errors=[{"field": "until", "message": "before since"}]
        )
    stmt = select(
        Notice.provider_id,
        Notice.status,
        Notice.sent_at,
        Notice.received_at,
        Notice.acted_at,
        Notice.due_at,
    )
    if since is not None:
        stmt = stmt.where(Notice.sent_at >= since)
    if until is not None:
        stmt = stmt.where(Notice.sent_at < until)
    allowed = own_provider_ids(session, actor)
    if allowed is not None:
        stmt = stmt.where(Notice.provider_id.in_(allowed or {uuid.UUID(int=0)}))
    if provider_id is not None:
        stmt = stmt.where(Notice.provider_id == provider_id)
    by_provider: dict[uuid.UUID, list[NoticeFacts]] = {}
    for pid, status, sent, received, acted, due in session.execute(stmt):
        by_provider.setdefault(pid, []).append(
            NoticeFacts(pid, str(getattr(status, "value", status)), sent, received, acted, due)
        )
    if not by_provider:
        return []
    names = {
        p.id: (p.name, p.country)
        for p in session.scalars(select(Provider).where(Provider.id.in_(by_provider)))
    }
    rows = [
        provider_figures(pid, *names.get(pid, ("?", "")), facts, now)
        for pid, facts in by_provider.items()
    ]
    return sort_figures(rows, sort, descending)
