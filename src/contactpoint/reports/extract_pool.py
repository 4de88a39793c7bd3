"""The CPU half of bulk import: parse, validate and extract in worker processes.

Workers turn file lines (JSON Lines) or parsed rows (CSV) into :class:`Prepared` rows: the
same ``ReportIn`` validation as the API and the per-row importer, the same card redaction,
indicator extraction and language detection as ``reports.service.submit``. They touch no
database; the parent writes what they return, in file order.

Workers are forked, so they inherit the parent's configured keyring (card and personal-data
tokens are keyed HMACs) and loaded vocabularies. On Linux each worker asks to be killed with
its parent, so a ``kill -9`` of the import leaves no orphans behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Boolean
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect

from contactpoint.core import warmup
from contactpoint.core.markings import PAP, TLP
from contactpoint.indicators import service as indicators
from contactpoint.indicators.service import Found
from contactpoint.reports import jsonl
from contactpoint.reports.copy import Memo, writer
from contactpoint.reports.filerows import Record, RowError
from contactpoint.reports.language import detect_languages
from contactpoint.reports.models import Report
from contactpoint.reports.schemas import ReportIn, field_errors
from contactpoint.reports.service import _identifier

Item = Record | tuple[int, bytes]  # a parsed CSV row, or a JSON Lines line and its number

# One indicator occurrence as a worker sends it: a plain tuple, because the parent unpickles
# every one of them (millions), and a tuple loads several times faster than a dataclass.
#   type, lookup key (an HMAC for personal data), field, start, end, flags, value, extra,
#   token, warninglist (None: on none)
FoundRow = tuple[
    str, str, str, int, int, tuple[str, ...], str, dict[str, Any], str | None, str | None
]


def as_found(row: FoundRow) -> Found:
    """The occurrence as :class:`Found`, for the (few) new indicator records."""
    type_, _, field_, start, end, flags, value, extra, token, _ = row
    return Found(type_, value, field_, start, end, flags, extra, token)


# The report columns a worker fills, in the order of ``Prepared.values``.
REPORT_COLUMNS = (
    "tlp",
    "pap",
    "crime_kind",
    "category",
    "incident_type",
    "offence",
    "victim_country",
    "victim_type",
    "occurred_at",
    "description",
    "language",
    "loss_amount",
    "loss_currency",
    "payment_method",
    "suspect_identifiers",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "contact_consent",
    "share_with_other_authorities",
    "anonymous",
)
COUNTRY = REPORT_COLUMNS.index("victim_country")  # text: the same converted or not
DESCRIPTION = REPORT_COLUMNS.index("description")
Writer = Callable[[Any], Any] | None


@dataclass(slots=True)
class Prepared:
    """One row ready to write, or its errors. ``values`` are the :data:`REPORT_COLUMNS`,
    already converted by each column's own type for the import's database (encryption of
    the contact details, JSON, enum values, UTC datetimes): that is per-row work, done
    here on every core rather than in the one writing process."""

    line: int
    errors: list[RowError] = field(default_factory=list)
    external_id: str = ""
    values: tuple[Any, ...] = ()
    found: list[FoundRow] = field(default_factory=list)


def writers(dialect: Dialect) -> tuple[Writer, ...]:
    """Each of :data:`REPORT_COLUMNS`' conversion for ``dialect`` (None: as is), as
    ``copy.writer`` gives it: JSON is serialised here, in the workers, not by the parent as
    it writes. Enums and booleans take a handful of values, so each is converted once per
    worker."""
    table = Report.__table__
    out: list[Writer] = []
    for name in REPORT_COLUMNS:
        type_ = table.c[name].type
        convert = writer(dialect, type_)
        if convert is not None and isinstance(type_, SAEnum | Boolean):
            out.append(Memo(convert).__getitem__)
        else:
            out.append(convert)
    return tuple(out)


# The conversions of the import this process prepares rows for: set by :func:`run` before
# the workers fork, so each inherits them (a dialect is not sent with every task).
_writers: tuple[Writer, ...] | None = None


def validate(rec: Record, sha: str) -> tuple[ReportIn | None, list[RowError]]:
    """The row as a ``ReportIn``, or its errors by line and field. A row without an
    ``external_id`` gets ``file:<sha16>:<line>``: deterministic per file and line."""
    if rec.error is not None or rec.data is None:
        return None, [rec.error or RowError(rec.line, None, "empty row")]
    data: dict[str, Any] = dict(rec.data)
    if not data.get("external_id"):
        data["external_id"] = f"file:{sha[:16]}:{rec.line}"
    try:
        return ReportIn.model_validate(data), []
    except ValidationError as exc:
        return None, [RowError(rec.line, e["field"], e["message"]) for e in field_errors(exc)]


@dataclass(slots=True)
class _Extracted:
    """A valid row's indicators, found, before its language is known."""

    line: int
    data: ReportIn
    description: str
    found: list[Found]
    idents: list[dict[str, Any]]


def extract(rec: Record, sha: str) -> _Extracted | Prepared:
    """What ``service._insert`` computes for one report, minus the database and the
    language; a row with errors comes back as its ``Prepared``."""
    data, errors = validate(rec, sha)
    if data is None:
        return Prepared(rec.line, errors)
    description, found = indicators.prepare(data.description, country_hint=data.victim_country)
    idents = [_identifier(i.type, i.value) for i in data.suspect_identifiers]
    found += indicators.from_identifiers(idents, country_hint=data.victim_country)
    return _Extracted(rec.line, data, description, found, idents)


def prepare_many(recs: Sequence[Record], sha: str, write: Sequence[Writer]) -> list[Prepared]:
    """Each row ready to write (or its errors). The languages are told all at once: one
    walk over a few hundred texts costs about a third of one walk per text. ``write``:
    the columns' conversions (:func:`writers`)."""
    rows = [extract(rec, sha) for rec in recs]
    valid = [r for r in rows if isinstance(r, _Extracted)]
    langs = iter(detect_languages([(r.description, r.found) for r in valid]))
    return [r if isinstance(r, Prepared) else _finish(r, next(langs), write) for r in rows]


def _finish(x: _Extracted, language: str | None, write: Sequence[Writer]) -> Prepared:
    data = x.data
    values = (  # in the order of REPORT_COLUMNS
        data.tlp or TLP.AMBER,
        data.pap or PAP.AMBER,
        data.crime_kind,
        data.category,
        data.incident_type,
        data.offence,
        data.victim_country,
        data.victim_type,
        data.occurred_at,
        x.description,
        language,
        data.loss_amount,
        data.loss_currency,
        data.payment_method,
        x.idents,
        data.reporter_name,
        data.reporter_email,
        data.reporter_phone,
        data.contact_consent,
        data.share_with_other_authorities,
        data.anonymous,
    )
    # Each column's own conversion (enum members to their stored strings among them): the
    # parent writes the tuple as it is.
    converted = tuple(
        [v if w is None or v is None else w(v) for w, v in zip(write, values, strict=True)]
    )
    # Keys (HMAC tokens for personal data) and warninglists are computed here, on every core.
    rows: list[FoundRow] = [
        (
            f.type,
            f.key,
            f.field,
            f.start,
            f.end,
            f.flags,
            f.value,
            f.extra,
            f.token,
            _warninglist(f.type, f.value),
        )
        for f in x.found
    ]
    return Prepared(x.line, [], data.external_id or "", converted, rows)


@lru_cache(maxsize=65536)
def _warninglist(type_: str, value: str) -> str | None:
    return indicators.warninglist_of(Found(type_, value, "", 0, 0))


def prepare_chunk(task: tuple[str, list[Item]]) -> list[Prepared]:
    """A worker's unit of work: a few hundred rows of one file (``sha`` names the file)."""
    sha, items = task
    if _writers is None:
        raise RuntimeError("extract_pool.run sets the column conversions before preparing")
    recs: list[Record] = []
    for item in items:
        rec = item if isinstance(item, Record) else jsonl.parse_line(item[0], item[1])
        if rec is not None:  # None: a blank line
            recs.append(rec)
    return prepare_many(recs, sha, _writers)


WORKER_NICE = 5


def _start_worker() -> None:
    """Die with the parent (Linux), and yield the CPU to it: the writing process is the
    import's bottleneck, so a worker should fill the cores it leaves idle rather than take
    turns with it."""
    if hasattr(os, "sched_getaffinity"):  # Linux: PR_SET_PDEATHSIG = 1
        with contextlib.suppress(OSError, AttributeError):  # not glibc
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run(
    chunks: Iterable[tuple[str, list[Item]]], dialect: Dialect, workers: int, *, window: int = 0
) -> Iterator[list[Prepared]]:
    """``prepare_chunk`` over ``chunks``, results in input order, report columns converted
    for ``dialect``. ``workers`` processes (0: in this process). At most ``window`` chunks
    are in flight, so a huge file never piles up in memory while the parent writes."""
    global _writers
    _writers = writers(dialect)
    if workers <= 0:
        for chunk in chunks:
            yield prepare_chunk(chunk)
        return
    window = window or workers * 3
    # Load the language model and extraction tables once, before forking, so each worker
    # inherits them, frozen: a collection in a worker then copies none of their pages.
    warmup.settle()
    ctx = multiprocessing.get_context("fork")  # inherit the keyring and loaded tables
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start_worker)
    pending: deque[Future[list[Prepared]]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(prepare_chunk, chunk))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def chunked(
    items: Iterable[Item], sha: str, size: int, on_item: Callable[[], None] | None = None
) -> Iterator[tuple[str, list[Item]]]:
    """Group rows into worker tasks of ``size``."""
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if on_item:
            on_item()
        if len(chunk) >= size:
            yield sha, chunk
            chunk = []
    if chunk:
        yield sha, chunk
