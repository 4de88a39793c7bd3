"""Bulk import of CSV / JSON Lines files: batches, resume after a crash, no duplicates.

This is an edge like a request: it commits, once per batch. The fast path (docs/reports.md,
"Bulk import"):

- the parent reads the file and hands rows, a few hundred at a time, to worker processes
  that parse, validate and extract indicators (``extract_pool``) on every core;
- the parent writes each batch in one transaction (``fastload``): multi-row inserts on
  SQLite, ``COPY`` on PostgreSQL, reference numbers in blocks, duplicates dropped with one
  query, campaigns updated by correlation's bulk linker, one audit entry per batch.

Each batch commits its reports together with the import's resume point
(``BulkImport.last_committed_line``), so after a crash (even ``kill -9``) a second run of the
same file (same SHA-256, same organisation) continues after the last committed line.
Independently, every row has an idempotency key — its ``external_id``, or
``file:<sha256 prefix>:<line>`` when it has none — so re-running a finished file adds
nothing and counts the rows as duplicates.
"""

from __future__ import annotations

import csv
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import audit, warmup
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.errors import Forbidden
from contactpoint.reports import copy, extract_pool, fastload
from contactpoint.reports.csvfile import CsvParser
from contactpoint.reports.extract_pool import Item, Prepared
from contactpoint.reports.filerows import CountingLines, FileFormatError, RowError
from contactpoint.reports.models import BulkImport

FORMATS = ("csv", "jsonl")
CHUNK = 250  # rows per worker task: big enough to amortise pickling, small for latency
YIELD_SECONDS = 0.01  # SQLite: the write lock left free after each batch


@dataclass
class ImportSummary:
    import_id: str
    resumed_from_line: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejects: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects_file: Path | None = None


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise FileFormatError(f"cannot tell the format of {path.name}; pass --format csv|jsonl")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@warmup.bulk_collections()
def import_file(
    factory: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    path: Path,
    *,
    fmt: str | None = None,
    batch_size: int = 500,
    encoding: str = "auto",
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    after_commit: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import ``path`` as ``actor``'s organisation. ``workers`` processes prepare rows
    (default: one per core; 0: in this process). ``progress(bytes_read)`` is called as rows
    are read; ``after_commit(last_line)`` after each committed batch (tests use it to
    crash)."""
    if actor.org_id is None:
        raise FileFormatError("imports are made for an organisation (--org)")
    if not (actor.can("reports:submit") or "system" in actor.roles):
        raise Forbidden("submitting reports needs the permission 'reports:submit'")
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise FileFormatError(f"unknown format {fmt!r}; use csv or jsonl")
    sha = file_sha256(path)
    job_id, start = _begin(factory, actor, path, sha, fmt)
    summary = ImportSummary(import_id=job_id, resumed_from_line=start)
    summary.rejects_file = path.with_name(path.name + ".rejects.csv")
    _open_rejects(summary.rejects_file, append=start > 0)
    ctx = fastload.LoadContext(
        actor=actor,
        job_id=uuid.UUID(job_id),
        max_campaigns=settings.correlation_max_campaigns,
        link=fastload.linker(),
        postgresql=factory.kw["bind"].dialect.name == "postgresql",
    )
    if ctx.postgresql:
        with transaction(factory) as s:
            ctx.trusted_links = copy.may_skip_reference_checks(s)
    nworkers = extract_pool.default_workers() if workers is None else workers

    with path.open("rb") as fh:
        lines = CountingLines(fh)
        parser = CsvParser(encoding) if fmt == "csv" else None
        items: Iterator[Item] = (
            (r for r in parser.records(lines) if r.line > start)
            if parser
            else ((n, raw) for n, raw in enumerate(lines, start=1) if n > start)
        )
        tick = (lambda: progress(lines.bytes_read)) if progress else None
        chunk = min(CHUNK, batch_size)
        tasks = extract_pool.chunked(items, sha, chunk, tick)
        # Two batches in flight: the workers keep preparing the next batch while this
        # process writes one, instead of idling after a few chunks.
        window = max(nworkers * 3, 2 * -(-batch_size // chunk))
        batch: list[Prepared] = []
        last_line = start
        dialect = factory.kw["bind"].dialect
        for prepared in extract_pool.run(tasks, dialect, nworkers, window=window):
            for p in prepared:
                batch.append(p)
                last_line = p.line
                if len(batch) >= batch_size:
                    _commit(factory, settings, ctx, batch, last_line, summary, after_commit)
                    batch = []
        if batch:
            _commit(factory, settings, ctx, batch, last_line, summary, after_commit)
        if parser and parser.fallback_lines:
            first = parser.fallback_lines[0]
            summary.warnings.append(
                f"{len(parser.fallback_lines)} line(s) were not UTF-8 and were read as "
                f"Windows-1252 (first: line {first}); check accented letters"
            )
    _finish(factory, actor, job_id, summary)
    if summary.accepted:
        fastload.vacuum(factory.kw["bind"])
    return summary


def _begin(
    factory: sessionmaker[Session], actor: Actor, path: Path, sha: str, fmt: str
) -> tuple[str, int]:
    with transaction(factory) as s:
        job = s.scalars(
            select(BulkImport)
            .where(
                BulkImport.org_id == actor.org_id,
                BulkImport.file_sha256 == sha,
                BulkImport.finished_at.is_(None),
            )
            .order_by(BulkImport.created_at.desc())
        ).first()
        if job is None:
            job = BulkImport(
                org_id=actor.org_id, file_sha256=sha, filename=path.name[:500], format=fmt
            )
            s.add(job)
            s.flush()
        return str(job.id), job.last_committed_line


def _commit(
    factory: sessionmaker[Session],
    settings: Settings,
    ctx: fastload.LoadContext,
    batch: list[Prepared],
    last_line: int,
    summary: ImportSummary,
    after_commit: Callable[[int], None] | None,
) -> None:
    try:
        with transaction(factory) as s:
            s.info["settings"] = settings
            result = fastload.write_batch(s, ctx, batch, last_line)
    except BaseException:
        ctx.known.clear()  # it may name records of the batch that was rolled back
        raise
    if not ctx.postgresql:
        # Leave SQLite's write lock free for a moment: a web request or job waiting for it
        # (it tries every few milliseconds, db.take_write_lock) gets in between two batches.
        time.sleep(YIELD_SECONDS)
    summary.accepted += result.accepted
    if result.accepted and fastload.analyze_due(ctx, summary.accepted):
        fastload.analyze(factory.kw["bind"], ctx, summary.accepted)
    summary.duplicates += result.duplicates
    summary.rejected += result.rejected
    summary.rejects.extend(result.rejects)
    if summary.rejects_file and result.rejects:
        with summary.rejects_file.open("a", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([r.line, r.field or "", r.message] for r in result.rejects)
    if after_commit:
        after_commit(last_line)


def _finish(
    factory: sessionmaker[Session], actor: Actor, job_id: str, summary: ImportSummary
) -> None:
    with transaction(factory) as s:
        job = s.get(BulkImport, _uuid(job_id))
        assert job is not None
        settle = fastload.settler()
        if settle is not None:
            settle(s, job.created_at)
        job.finished_at = utcnow()
        audit.record(
            s,
            actor,
            "report.import",
            object_type="bulk_import",
            object_id=job.id,
            details={
                "file": job.filename,
                "sha256": job.file_sha256,
                "accepted": job.accepted,
                "duplicates": job.duplicates,
                "rejected": job.rejected,
                "resumed_from_line": summary.resumed_from_line,
            },
        )
    if summary.rejects_file and summary.rejected == 0 and summary.resumed_from_line == 0:
        summary.rejects_file.unlink(missing_ok=True)
        summary.rejects_file = None


def _open_rejects(path: Path, *, append: bool) -> None:
    if append and path.exists():
        return
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(["line", "field", "message"])


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
