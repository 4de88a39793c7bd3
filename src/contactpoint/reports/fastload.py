"""The write half of bulk import: one batch of prepared rows in one transaction.

Per batch, not per row: one duplicate query, one reference-number block per country, one
multi-row insert (SQLite) or ``COPY`` (PostgreSQL) per table, one indicator upsert, one
correlation update and one audit entry naming the count and the line range. The rows are
exactly what ``service.submit`` would store: same columns, markings, receiving contact
points, encrypted contact details, full-text index and indicator links.

Campaigns are updated by a *bulk linker* that correlation registers here
(:func:`register_linker`): correlation sits above reports in the layers, so reports cannot
import it (ADR 0012). Without one (correlation not installed), the batch defers the usual
``correlation.link`` job by name instead.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Column, MetaData, String, Table, Text, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from contactpoint.core import audit, jobs
from contactpoint.core.access import Recipient
from contactpoint.core.actor import Actor
from contactpoint.core.db import new_ids, sorted_ids, utcnow
from contactpoint.indicators import service as indicators
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import copy
from contactpoint.reports.extract_pool import (
    COUNTRY,
    DESCRIPTION,
    REPORT_COLUMNS,
    FoundRow,
    Prepared,
    as_found,
)
from contactpoint.reports.filerows import RowError
from contactpoint.reports.models import BulkImport, ReferenceCounter, Report, Source, Status
from contactpoint.reports.service import _lookup_receiving_orgs

CHUNK = 500  # ids per IN (...): well under SQLite's variable limit
# SQLite's full-text table (migration 0002), for the bulk writer.
_FTS = Table("reports_fts", MetaData(), Column("report_id", String), Column("body", Text))


# ---------------------------------------------------------------------------- linking hook


@dataclass(frozen=True)
class IndicatorCount:
    count: int  # distinct reports holding it, this batch included
    added: int  # of which this batch's reports
    warninglisted: bool


@dataclass
class LinkBatch:
    """What a batch added, for the correlation engine."""

    reports: list[tuple[uuid.UUID, str, datetime]]  # id, victim country, created_at
    links: dict[uuid.UUID, list[uuid.UUID]]  # report -> its distinct indicator ids
    indicators: dict[uuid.UUID, IndicatorCount]
    # One stored report holding each indicator that stored reports hold (warninglisted
    # ones aside), read before the batch's own links were written.
    held: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)


class BatchLinker(Protocol):
    def __call__(self, session: Session, batch: LinkBatch, max_campaigns: int) -> None: ...


class Settler(Protocol):
    """Run once at the end of an import (and of its resumption): what is cheaper done
    once than per batch. ``since``: when the import first started."""

    def __call__(self, session: Session, since: datetime) -> None: ...


_LINKERS: list[BatchLinker] = []
_SETTLERS: list[Settler] = []
# The tables an import writes (for :func:`analyze` and :func:`vacuum`); the linker adds
# its own.
_WRITTEN: list[str] = [
    Report.__tablename__,
    ReportIndicator.__tablename__,
    Indicator.__tablename__,
    Recipient.__tablename__,
    ReferenceCounter.__tablename__,
    BulkImport.__tablename__,
]


def register_linker(
    linker: BatchLinker, settle: Settler | None = None, tables: Sequence[str] = ()
) -> None:
    """Correlation registers its bulk linker here when it is imported, with the tables it
    writes."""
    if linker not in _LINKERS:
        _LINKERS.append(linker)
    if settle is not None and settle not in _SETTLERS:
        _SETTLERS.append(settle)
    _WRITTEN.extend(t for t in tables if t not in _WRITTEN)


def linker() -> BatchLinker | None:
    if not _LINKERS:
        jobs.discover()  # imports every area's jobs, and with them correlation's engine
    return _LINKERS[-1] if _LINKERS else None


def settler() -> Settler | None:
    linker()
    return _SETTLERS[-1] if _SETTLERS else None


# ---------------------------------------------------------------------------- batch


@dataclass
class LoadContext:
    """What stays the same for a whole import run."""

    actor: Actor
    job_id: uuid.UUID
    max_campaigns: int
    link: BatchLinker | None
    receiving: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    analyzed_at: int = 0  # rows this run had written when the tables were last analyzed
    postgresql: bool = False
    # PostgreSQL only: the role may skip the per-row foreign-key checks of the links, whose
    # reports and indicators the same transaction has just inserted or locked.
    trusted_links: bool = False
    # Indicators this run has stored or met, by (type, lookup key): most of a batch's
    # indicators were in an earlier batch, and for those an UPDATE by id replaces the
    # upsert, the read-back by key and the probe for a stored holder.
    known: dict[tuple[str, str], Known] = field(default_factory=dict)


@dataclass(slots=True)
class Known:
    id: uuid.UUID
    warninglisted: bool
    holder: uuid.UUID  # a stored report that holds it


KNOWN_MAX = 2_000_000  # about 400 MiB of keys; past it, the rest go through the upsert


def analyze_due(ctx: LoadContext, written: int) -> bool:
    """Whether :func:`analyze` is due after ``written`` rows: on PostgreSQL, after the
    first batch and each time the rows this run wrote have doubled (about 20 times for a
    billion)."""
    return ctx.postgresql and written >= 2 * ctx.analyzed_at


def analyze(engine: Engine, ctx: LoadContext, written: int) -> None:
    """``ANALYZE`` the tables an import writes (PostgreSQL), when :func:`analyze_due`:
    without it the planner works from the statistics of nearly empty tables and picks
    plans that read every row of the importing organisation per batch. Autovacuum does it
    in time when it is on; a bulk load outpaces it, and it may be off."""
    _maintain(engine, "ANALYZE")
    ctx.analyzed_at = max(written, 1)


def vacuum(engine: Engine) -> None:
    """``VACUUM (ANALYZE)`` the tables an import writes (PostgreSQL), once when it ends:
    until a page is marked all-visible, an index-only scan reads the table's page too, and
    a new report's link reads every holder of its indicators so. It also clears the old
    versions of updated campaigns and indicators. Not during the import: there it cost
    more than the import's own reads gained."""
    _maintain(engine, "VACUUM (ANALYZE)")


def _maintain(engine: Engine, command: str) -> None:
    """``command`` over the tables an import writes, outside any transaction (VACUUM cannot
    run in one); nothing on SQLite. A role that does not own a table gets a warning for it
    from the server, not an error."""
    if engine.dialect.name != "postgresql":
        return
    tables = ", ".join(f'"{t}"' for t in _WRITTEN)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"{command} {tables}"))


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejects: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({r.line for r in self.rejects})


def write_batch(
    session: Session, ctx: LoadContext, rows: Sequence[Prepared], last_line: int
) -> BatchResult:
    """Store one batch and move the import's resume point to ``last_line``; the caller
    commits both together."""
    result = BatchResult()
    good: list[Prepared] = []
    for p in rows:
        if p.errors:
            result.rejects.extend(p.errors)
        else:
            good.append(p)
    fresh = _new_only(session, ctx.actor.org_id, good)
    result.duplicates = len(good) - len(fresh)
    result.accepted = len(fresh)
    if fresh:
        _store(session, ctx, fresh)
        audit.record(
            session,
            ctx.actor,
            "report.import.batch",
            object_type="bulk_import",
            object_id=ctx.job_id,
            details={
                "accepted": len(fresh),
                "first_line": fresh[0].line,
                "last_line": fresh[-1].line,
                "source": Source.BULK_FILE.value,
            },
        )
    session.execute(
        update(BulkImport)
        .where(BulkImport.id == ctx.job_id)
        .values(
            last_committed_line=last_line,
            accepted=BulkImport.accepted + result.accepted,
            duplicates=BulkImport.duplicates + result.duplicates,
            rejected=BulkImport.rejected + result.rejected,
            updated_at=utcnow(),
        )
    )
    return result


def _new_only(session: Session, org_id: uuid.UUID | None, good: list[Prepared]) -> list[Prepared]:
    """Drop rows whose (organisation, external_id) is stored or came earlier in the batch."""
    ids = sorted({p.external_id for p in good})
    known: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        known |= set(
            session.scalars(
                select(Report.external_id).where(
                    Report.reporting_org_id == org_id, Report.external_id.in_(ids[i : i + CHUNK])
                )
            )
        )
    out = []
    for p in good:
        if p.external_id not in known:
            known.add(p.external_id)
            out.append(p)
    return out


def _references(session: Session, countries: list[str], year: int) -> dict[str, int]:
    """A block of reference numbers per country: the first number of each block."""
    out: dict[str, int] = {}
    counts: dict[str, int] = defaultdict(int)
    for c in countries:
        counts[c] += 1
    dialect = session.get_bind().dialect.name
    for country in sorted(counts):  # one lock order for concurrent importers
        n = counts[country]
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt: Any = pg_insert(ReferenceCounter)
        else:
            stmt = sqlite.insert(ReferenceCounter)
        stmt = (
            stmt.values(country=country, year=year, last=n)
            .on_conflict_do_update(
                index_elements=["country", "year"], set_={"last": ReferenceCounter.last + n}
            )
            .returning(ReferenceCounter.last)
        )
        last = int(session.execute(stmt).scalar_one())
        out[country] = last - n + 1
    return out


def _receiving(session: Session, ctx: LoadContext, country: str) -> list[uuid.UUID]:
    if country not in ctx.receiving:  # organisations do not change mid-import
        ctx.receiving[country] = _lookup_receiving_orgs(session, country)
    return ctx.receiving[country]


def _store(session: Session, ctx: LoadContext, fresh: list[Prepared]) -> None:
    now = utcnow()
    org_id = ctx.actor.org_id
    countries = [p.values[COUNTRY] for p in fresh]
    first = _references(session, countries, now.year)
    names, same = _report_constants(session, ctx, now)
    as_id = copy.id_writer(session)
    ids = new_ids(len(fresh))
    reports: list[tuple[Any, ...]] = []
    recipients: list[dict[str, Any]] = []
    fts: list[dict[str, Any]] = []
    for p, rid, country in zip(fresh, ids, countries, strict=True):
        number = first[country]
        first[country] += 1
        # Workers converted the row's own columns; the batch's are converted once.
        reports.append(
            (as_id(rid), f"{country}-{now.year}-{number:06d}", p.external_id, *p.values, *same)
        )
        # The receiving contact points see every report about their country's victims.
        for other in _receiving(session, ctx, country):
            if other != org_id:
                recipients.append(
                    {
                        "object_type": Report.__marked_type__,
                        "object_id": rid,
                        "org_id": other,
                        "user_id": None,
                    }
                )
        fts.append({"report_id": rid.hex, "body": p.values[DESCRIPTION]})
    copy.write_rows(session, _table(Report).name, names, reports)
    for r, iid in zip(recipients, new_ids(len(recipients)), strict=True):
        r["id"] = iid
    copy.copy_rows(session, _table(Recipient), recipients)
    if session.get_bind().dialect.name != "postgresql":
        # PostgreSQL's tsvector column is generated; SQLite's FTS5 table is kept by hand.
        copy.copy_rows(session, _FTS, fts)
    items = list(zip(ids, fresh, strict=True))
    batch = _store_indicators(session, ctx, items, now)
    batch.reports = [(rid, country, now) for rid, country in zip(ids, countries, strict=True)]
    if ctx.link is not None:
        ctx.link(session, batch, ctx.max_campaigns)
    else:
        jobs.defer(session, "correlation.link", report_ids=[str(rid) for rid in ids])


_PER_ROW = ("id", "reference", "external_id", *REPORT_COLUMNS)


def _report_constants(
    session: Session, ctx: LoadContext, now: datetime
) -> tuple[list[str], tuple[Any, ...]]:
    """The ``reports`` columns to write, in the order of a row (:data:`_PER_ROW` first),
    and the values that every row of the batch shares, converted once. Any other column
    with a Python-side default gets it, as an ORM insert would."""
    given = {
        "source": Source.BULK_FILE,
        "reporting_org_id": ctx.actor.org_id,
        "owner_org_id": ctx.actor.org_id,
        "created_by_id": ctx.actor.user_id,
        "handling_code": None,
        "handling_text": None,
        "close_reason": None,
        "status": Status.NEW,
        "status_secret_hash": None,
        "assigned_to_id": None,
        "created_at": now,
        "updated_at": now,
    }
    cols = [c for c in copy.columns_of(_table(Report), [given]) if c.name not in _PER_ROW]
    (same,) = copy.converted(session, cols, [given])
    return [*_PER_ROW, *(c.name for c in cols)], same


def _store_indicators(
    session: Session,
    ctx: LoadContext,
    items: list[tuple[uuid.UUID, Prepared]],
    seen: datetime,
) -> LinkBatch:
    """Upsert the batch's indicators (counts grow by the distinct new reports holding each,
    first and last seen widen to ``seen``) and add the report links. Workers computed each
    occurrence's key (an HMAC for personal data), so the parent never does. Indicators this
    run has met already (``ctx.known``) are only updated, by id."""
    first_of: dict[tuple[str, str], FoundRow] = {}
    # Holders by position in ``items`` (one report each): ints hash in C, UUIDs in Python.
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for n, (_, p) in enumerate(items):
        for row in p.found:
            k = (row[0], row[1])
            if k not in first_of:
                first_of[k] = row
            holders[k].add(n)
    batch = LinkBatch([], {}, {})
    if not first_of:
        return batch
    ids: dict[tuple[str, str], uuid.UUID] = {}
    _update_known(session, ctx.known, holders, seen, batch, ids)
    novel = [k for k in first_of if k not in ids]
    rows = [
        indicators.new_row(
            as_found(first_of[k]),
            seen,
            seen,
            len(holders[k]),
            key=k[1],
            listed=first_of[k][9],
            new=i,
        )
        for k, i in zip(novel, new_ids(len(novel)), strict=True)
    ]
    rows.sort(key=lambda r: (r["type"], r["lookup_key"]))  # one lock order for everyone
    if not rows:
        stored = []
    elif session.get_bind().dialect.name == "postgresql":
        stored = copy.upsert_indicators(session, rows)
    else:
        stored = copy.upsert_indicators_sqlite(session, rows)
    probe: list[uuid.UUID] = []
    for iid, type_, key, count, on_list in stored:
        ids[(type_, key)] = iid
        added = len(holders[(type_, key)])
        batch.indicators[iid] = IndicatorCount(int(count), added, bool(on_list))
        if count > added and not on_list:
            probe.append(iid)  # held by reports stored before this run met it
    batch.held.update(_stored_holders(session, sorted_ids(probe)))
    _write_links(session, items, ids, batch, checked=not ctx.trusted_links)
    known = ctx.known
    if len(known) < KNOWN_MAX:
        for k in novel:
            iid = ids[k]
            holder = batch.held.get(iid) or items[min(holders[k])][0]
            known[k] = Known(iid, batch.indicators[iid].warninglisted, holder)
    return batch


def _write_links(
    session: Session,
    items: list[tuple[uuid.UUID, Prepared]],
    ids: dict[tuple[str, str], uuid.UUID],
    batch: LinkBatch,
    *,
    checked: bool = True,
) -> None:
    """The batch's report-indicator links, once each by (report, indicator, field, start),
    written as ready rows: ids and flags are converted once per report, indicator and
    distinct flags rather than once per link. Every link's report was inserted, and its
    indicator inserted or updated (so locked), earlier in this transaction, which is what
    lets ``checked=False`` skip the foreign-key checks."""
    table = _table(ReportIndicator)
    as_id = copy.id_writer(session)
    flags_of = copy.memo_writer(session, table.c.flags)
    # Keyed by the occurrence's (type, key) strings, whose hashes Python caches: a UUID's
    # hash is Python code, and a batch has some 20,000 links per 5,000 reports.
    slot = {k: (iid, as_id(iid)) for k, iid in ids.items()}
    out: list[tuple[Any, ...]] = []
    for rid, p in items:
        if not p.found:
            continue
        rid_out = as_id(rid)
        held: dict[tuple[str, str], uuid.UUID] = {}
        done: set[tuple[str, str, str, int]] = set()
        for type_, key, field_, start, end, flags, _v, _x, _t, _l in p.found:
            lk = (type_, key, field_, start)
            if lk in done:
                continue
            done.add(lk)
            iid, iid_out = slot[(type_, key)]
            held[(type_, key)] = iid
            out.append((rid_out, iid_out, field_, start, end, flags_of(flags)))
        batch.links[rid] = list(held.values())
    copy.write_rows(
        session,
        table.name,
        ("report_id", "indicator_id", "field", "start", "end", "flags"),
        out,
        references_checked=checked,
    )


def _update_known(
    session: Session,
    known: dict[tuple[str, str], Known],
    holders: dict[tuple[str, str], set[int]],
    seen: datetime,
    batch: LinkBatch,
    ids: dict[tuple[str, str], uuid.UUID],
) -> None:
    """Update the records of the batch's indicators that this run has met (count, first and
    last seen), by id; fill ``ids``, ``batch.indicators`` and ``batch.held`` for them. One
    that is gone (deleted since) is forgotten, and goes through the upsert with the new
    ones."""
    hits = {k: known[k] for k in holders if k in known}
    if not hits:
        return
    counts = copy.bump_indicators(
        session,
        sorted(((h.id, len(holders[k])) for k, h in hits.items()), key=lambda b: b[0].int),
        seen,
    )
    for k, hit in hits.items():
        count = counts.get(hit.id)
        if count is None:  # deleted since this run met it
            del known[k]
            continue
        ids[k] = hit.id
        batch.indicators[hit.id] = IndicatorCount(count, len(holders[k]), hit.warninglisted)
        if not hit.warninglisted:
            batch.held[hit.id] = hit.holder


def _stored_holders(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """One stored holder per indicator: asked before the batch's links exist, so any will
    do (the smallest id). One index probe each, on (indicator, report): a hub is held by
    hundreds of thousands of reports, and an aggregate over them (PostgreSQL has no min()
    of uuid, so it was min() of the id as text) read them all in every batch."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    first = (
        select(ReportIndicator.report_id)
        .where(ReportIndicator.indicator_id == Indicator.id)
        .order_by(ReportIndicator.report_id)
        .limit(1)
        .correlate(Indicator)
        .scalar_subquery()
    )
    for i in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Indicator.id, first).where(Indicator.id.in_(ids[i : i + CHUNK]))
        )
        out.update((iid, rid) for iid, rid in rows if rid is not None)
    return out


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table
