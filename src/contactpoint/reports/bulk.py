"""Bulk import of CSV / JSON Lines files: batches, resume after a crash, no duplicates.

This is an edge like a request: it commits, once per batch. Each batch commits its
reports together with the import's resume point (``BulkImport.last_committed_line``), so
after a crash a second run of the same file (same SHA-256, same organisation) continues
after the last committed line. Independently, every row has an idempotency key — its
``external_id``, or ``<file sha256 prefix>:<line>`` when it has none — so re-running a
finished file adds nothing and counts the rows as duplicates.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.errors import ContactpointError
from contactpoint.reports import indicator_links, jsonl, service
from contactpoint.reports.csvfile import CsvParser
from contactpoint.reports.filerows import CountingLines, FileFormatError, Record, RowError
from contactpoint.reports.models import BulkImport, Source
from contactpoint.reports.schemas import ReportIn, field_errors

FORMATS = ("csv", "jsonl")


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


def import_file(
    factory: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    path: Path,
    *,
    fmt: str | None = None,
    batch_size: int = 500,
    encoding: str = "auto",
    progress: Callable[[int], None] | None = None,
    after_commit: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import ``path`` as ``actor``'s organisation. ``progress(bytes_read)`` is called per
    row; ``after_commit(last_line)`` after each committed batch (tests use it to crash)."""
    if actor.org_id is None:
        raise FileFormatError("imports are made for an organisation (--org)")
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise FileFormatError(f"unknown format {fmt!r}; use csv or jsonl")
    sha = file_sha256(path)
    job_id, start = _begin(factory, actor, path, sha, fmt)
    summary = ImportSummary(import_id=job_id, resumed_from_line=start)
    summary.rejects_file = path.with_name(path.name + ".rejects.csv")
    _open_rejects(summary.rejects_file, append=start > 0)

    batch: list[tuple[int, ReportIn | None, list[RowError]]] = []
    with path.open("rb") as fh:
        lines = CountingLines(fh)
        parser = CsvParser(encoding) if fmt == "csv" else None
        recs: Iterator[Record] = parser.records(lines) if parser else jsonl.records(lines)
        for rec in recs:
            if progress:
                progress(lines.bytes_read)
            if rec.line <= start:
                continue  # committed by an earlier, interrupted run
            batch.append(_validate(rec, sha))
            if len(batch) >= batch_size:
                _commit(factory, settings, actor, job_id, batch, summary, after_commit)
                batch = []
        if batch:
            _commit(factory, settings, actor, job_id, batch, summary, after_commit)
        if parser and parser.fallback_lines:
            first = parser.fallback_lines[0]
            summary.warnings.append(
                f"{len(parser.fallback_lines)} line(s) were not UTF-8 and were read as "
                f"Windows-1252 (first: line {first}); check accented letters"
            )
    _finish(factory, actor, job_id, summary)
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


def _validate(rec: Record, sha: str) -> tuple[int, ReportIn | None, list[RowError]]:
    if rec.error is not None or rec.data is None:
        return rec.line, None, [rec.error or RowError(rec.line, None, "empty row")]
    data: dict[str, Any] = dict(rec.data)
    if not data.get("external_id"):
        data["external_id"] = f"file:{sha[:16]}:{rec.line}"  # deterministic per file + line
    try:
        return rec.line, ReportIn.model_validate(data), []
    except ValidationError as exc:
        return (
            rec.line,
            None,
            [RowError(rec.line, e["field"], e["message"]) for e in field_errors(exc)],
        )


def _commit(
    factory: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    job_id: str,
    batch: list[tuple[int, ReportIn | None, list[RowError]]],
    summary: ImportSummary,
    after_commit: Callable[[int], None] | None,
) -> None:
    accepted = duplicates = 0
    rejects: list[RowError] = []
    with transaction(factory) as s:
        s.info["settings"] = settings
        s.info["receiving_orgs"] = {}  # one lookup per country per batch
        pending: list[object] = []
        s.info[indicator_links.PENDING] = pending  # indicators are stored once per batch
        for line, data, errors in batch:
            if data is None:
                rejects.extend(errors)
                continue
            mark = len(pending)
            try:
                with s.begin_nested():  # a failing row undoes only itself
                    result = service.submit(s, actor, data, source=Source.BULK_FILE)
            except ContactpointError as exc:
                del pending[mark:]  # the row's indicators go with it
                found = exc.errors or [{"field": None, "message": exc.detail}]
                rejects.extend(RowError(line, e.get("field"), str(e.get("message"))) for e in found)
                continue
            if result.created:
                accepted += 1
            else:
                duplicates += 1
        indicator_links.store_pending(s)
        job = s.get(BulkImport, _uuid(job_id))
        assert job is not None
        job.last_committed_line = batch[-1][0]
        job.accepted += accepted
        job.duplicates += duplicates
        job.rejected += len({r.line for r in rejects})
    summary.accepted += accepted
    summary.duplicates += duplicates
    summary.rejected += len({r.line for r in rejects})
    summary.rejects.extend(rejects)
    if summary.rejects_file and rejects:
        with summary.rejects_file.open("a", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([r.line, r.field or "", r.message] for r in rejects)
    if after_commit:
        after_commit(batch[-1][0])


def _finish(
    factory: sessionmaker[Session], actor: Actor, job_id: str, summary: ImportSummary
) -> None:
    with transaction(factory) as s:
        job = s.get(BulkImport, _uuid(job_id))
        assert job is not None
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
