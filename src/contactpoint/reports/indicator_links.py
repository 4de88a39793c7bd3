"""Indicators of reports: intake, re-extraction, related reports, highlighting, bank lookup.

The indicators area sits below reports, so everything that needs the Report rows (and their
markings) is here. The indicators area's web and CLI surface calls these service functions:
``related_reports``, ``count_related``, ``highlight``, ``lookup``, ``reextract`` and
``report_batches`` (named here as ARCHITECTURE.md asks for an upward call).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from contactpoint.accounts.ratelimit import SlidingWindowLimiter
from contactpoint.core import audit, jobs
from contactpoint.core.access import visible
from contactpoint.core.actor import Actor
from contactpoint.core.errors import Forbidden, InvalidInput, RateLimited
from contactpoint.indicators import cards
from contactpoint.indicators import service as indicators
from contactpoint.indicators import types as t
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.indicators.service import DESCRIPTION, IDENTIFIERS, Found
from contactpoint.reports import search
from contactpoint.reports.models import Report

PENDING = "indicator_batch"  # session.info key: bulk import stores a batch at once


# ---------------------------------------------------------------------------- intake


def link_on_intake(session: Session, report: Report, found: list[Found]) -> None:
    """Store what intake found, now or (bulk import) with the rest of the batch."""
    found = found + indicators.from_identifiers(
        report.suspect_identifiers or [], country_hint=report.victim_country
    )
    item = (report.id, report.created_at, found)
    pending = session.info.get(PENDING)
    if isinstance(pending, list):
        pending.append(item)
    else:
        indicators.store(session, [item])
        _correlate(session, [report.id])


def store_pending(session: Session) -> None:
    """Store the occurrences a bulk batch collected (call before committing the batch)."""
    pending = session.info.pop(PENDING, None)
    if pending:
        indicators.store(session, pending)
        _correlate(session, [item[0] for item in pending])


def _correlate(session: Session, report_ids: list[uuid.UUID]) -> None:
    """Queue campaign linking in this transaction. By job name: correlation sits above
    reports in the layers (ADR 0012); it runs only if the intake commits."""
    jobs.defer(session, "correlation.link", report_ids=[str(r) for r in report_ids])


def reextract(session: Session, reports: Sequence[Report]) -> None:
    """Run extraction again over stored reports. Idempotent: links that are still found
    stay, new ones are added, stale ones go. Card links from a description stay: the
    stored text holds only BIN…last4, so they cannot be found again."""
    batch: list[tuple[uuid.UUID, Any, Sequence[Found]]] = []
    for r in reports:
        text, found = indicators.prepare(
            r.description, country_hint=r.victim_country, lang=r.language
        )
        if text != r.description:  # stored before redaction existed: redact it now
            r.description = text
            search.index(session, r.id, text)
        found += indicators.from_identifiers(
            r.suspect_identifiers or [], country_hint=r.victim_country
        )
        batch.append((r.id, r.created_at, found))
    wanted = indicators.store(session, batch)
    ids = [r.id for r in reports]
    stale: list[tuple[uuid.UUID, uuid.UUID, str, int]] = []
    touched: set[uuid.UUID] = set()
    rows = session.execute(
        select(ReportIndicator, Indicator.type)
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(ReportIndicator.report_id.in_(ids))
    )
    for link, type_ in rows:
        key = (link.report_id, link.indicator_id, link.field, link.start)
        if key in wanted or (type_ == t.CARD and link.field == DESCRIPTION):
            continue
        stale.append(key)
        touched.add(link.indicator_id)
    if stale:
        pk = tuple_(
            ReportIndicator.report_id,
            ReportIndicator.indicator_id,
            ReportIndicator.field,
            ReportIndicator.start,
        )
        for i in range(0, len(stale), 200):  # 4 variables a row: under SQLite's limit
            session.execute(delete(ReportIndicator).where(pk.in_(stale[i : i + 200])))
        indicators.recount(session, touched)


def report_batches(session: Session, batch_size: int) -> Iterator[list[uuid.UUID]]:
    """Every stored report id, in batches, oldest first (for `indicators reextract`)."""
    ids = list(session.scalars(select(Report.id).order_by(Report.created_at, Report.id)))
    for i in range(0, len(ids), batch_size):
        yield ids[i : i + batch_size]


def reports_by_id(session: Session, ids: Sequence[uuid.UUID]) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.id.in_(ids))))


def count_reports(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Report)) or 0)


# ---------------------------------------------------------------------------- reading


def _linked(indicator_ids: Sequence[uuid.UUID]) -> Any:
    return select(ReportIndicator.report_id).where(ReportIndicator.indicator_id.in_(indicator_ids))


def related_reports(
    session: Session, actor: Actor, ind: Indicator, *, limit: int = 100
) -> list[Report]:
    """The reports ``actor`` may see that hold ``ind``, newest first. A warninglisted
    indicator links nothing: it is benign and would join unrelated reports."""
    if ind.warninglisted:
        return []
    stmt = (
        select(Report)
        .where(visible(Report, actor), Report.id.in_(_linked([ind.id])))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count_related(session: Session, actor: Actor, ind: Indicator) -> int:
    if ind.warninglisted:
        return 0
    stmt = (
        select(func.count())
        .select_from(Report)
        .where(visible(Report, actor), Report.id.in_(_linked([ind.id])))
    )
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Segment:
    text: str
    indicator: Indicator | None = None


def highlight(session: Session, report: Report) -> list[Segment]:
    """The description cut into plain text and indicator spans (for <mark> highlighting);
    the caller already holds the report, so it is visible to them."""
    text = report.description
    rows = session.execute(
        select(ReportIndicator, Indicator)
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(ReportIndicator.report_id == report.id, ReportIndicator.field == DESCRIPTION)
        .order_by(ReportIndicator.start, ReportIndicator.end.desc())
    ).all()
    out: list[Segment] = []
    pos = 0
    for link, ind in rows:
        if link.start < pos or link.end > len(text) or link.end <= link.start:
            continue  # nested (a domain inside its URL) or out of date: keep the outer one
        if link.start > pos:
            out.append(Segment(text[pos : link.start]))
        out.append(Segment(text[link.start : link.end], ind))
        pos = link.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def identifier_links(session: Session, report: Report) -> dict[int, Indicator]:
    """Position in ``suspect_identifiers`` → its indicator (the first, when a value holds
    several), for linking each identifier on the report page."""
    rows = session.execute(
        select(ReportIndicator.start, Indicator)
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(ReportIndicator.report_id == report.id, ReportIndicator.field == IDENTIFIERS)
        .order_by(ReportIndicator.start)
    ).all()
    out: dict[int, Indicator] = {}
    for pos, ind in rows:
        out.setdefault(pos, ind)
    return out


# ---------------------------------------------------------------------------- bank lookup

LOOKUP_TYPES = ("iban", "bin", "card", "btc", "eth", "phone")
MIN_PURPOSE = 10
_limiter = SlidingWindowLimiter(window=60.0)


def _lookup_indicators(
    session: Session, type_: str, value: str, country: str | None
) -> list[Indicator]:
    if type_ == "bin":
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) not in (6, 8):
            raise InvalidInput(
                "a BIN is the first 6 (or 8) digits of a card",
                errors=[{"field": "value", "message": "give 6 or 8 digits"}],
            )
        return list(
            session.scalars(
                select(Indicator).where(Indicator.type == t.CARD, Indicator.card_bin == digits[:6])
            )
        )
    found = indicators.find(session, type_, value, country_hint=country)
    return [found] if found is not None else []


def lookup(
    session: Session,
    actor: Actor,
    type_: str,
    value: str,
    purpose: str,
    *,
    rate_per_minute: int,
    country: str | None = None,
) -> dict[str, Any]:
    """Has this IBAN, BIN, card, wallet or phone been reported? Rate limited per
    organisation and audited with the stated purpose. The count covers every report;
    countries, dates and categories only the reports the caller may see. ``country`` is
    the region of a phone number given in national format."""
    if not actor.can("indicators:lookup"):
        raise Forbidden("lookups need the permission 'indicators:lookup'")
    if type_ not in LOOKUP_TYPES:
        raise InvalidInput(
            f"unknown lookup type {type_!r}",
            errors=[{"field": "type", "message": "one of " + ", ".join(LOOKUP_TYPES)}],
        )
    # The purpose is kept in the audit log: a card number typed into it is redacted.
    purpose = cards.redact(" ".join((purpose or "").split()))
    if len(purpose) < MIN_PURPOSE:
        raise InvalidInput(
            "state the purpose of the lookup",
            errors=[{"field": "purpose", "message": f"at least {MIN_PURPOSE} characters"}],
        )
    if not (value or "").strip():
        raise InvalidInput(
            "a value is required", errors=[{"field": "value", "message": "required"}]
        )
    key = f"lookup:{actor.org_id or actor.user_id}"
    if not _limiter.hit(key, rate_per_minute):
        raise RateLimited(
            f"your organisation may make {rate_per_minute} lookups a minute; wait a minute"
        )
    country = (country or "").strip().upper() or None
    inds = [i for i in _lookup_indicators(session, type_, value, country) if not i.warninglisted]
    linked = _linked([i.id for i in inds])
    total = 0
    seen: list[tuple[str, str, Any]] = []
    if inds:
        total = int(
            session.scalar(select(func.count()).select_from(Report).where(Report.id.in_(linked)))
            or 0
        )
        seen = [
            (row[0], row[1].value, row[2])
            for row in session.execute(
                select(Report.victim_country, Report.category, Report.created_at).where(
                    visible(Report, actor), Report.id.in_(linked)
                )
            )
        ]
    answer: dict[str, Any] = {
        "type": type_,
        "reports": total,
        "restricted": total > len(seen),
    }
    if seen:
        answer |= {
            "visible_reports": len(seen),
            "countries": sorted({c for c, _, _ in seen}),
            "categories": sorted({k for _, k, _ in seen}),
            "first_seen": min(at for _, _, at in seen),
            "last_seen": max(at for _, _, at in seen),
        }
    audit.record(
        session,
        actor,
        "indicator.lookup",
        object_type="indicator",
        object_id=inds[0].id if len(inds) == 1 else None,
        reason=purpose,
        details={"type": type_, "reports": total, "visible": len(seen)},
    )
    return answer
