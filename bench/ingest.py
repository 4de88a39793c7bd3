"""Ingest benchmark: `contactpoint reports import` end to end, beside a plain bulk insert.

    .venv/bin/python bench/ingest.py [--reports 1000000] [--db sqlite,postgresql]
        [--batch-size 5000] [--workers 2] [--seed 2007]

Data: ``training/bulkgen.write_jsonl`` (the generator behind ``contactpoint scenario
generate``), cached as ``var/bench/ingest-<N>-<seed>.jsonl`` (the same seed, the same bytes).

For each database, in the same run on the same file:

- **limit**: a plain bulk insert of the same rows into the same ``reports`` table: parse each
  line, map it to the table's columns, insert in 5,000-row transactions with the importer's
  own writer (``COPY`` on PostgreSQL, the driver's ``executemany`` on SQLite; the same
  column processing, so personal fields are encrypted alike). No validation, extraction,
  indicators, full-text index, recipients, correlation;
- **end to end**: ``reports.bulk.import_file``, what the CLI runs: parse, validate and
  extract in worker processes, insert reports, recipients, full-text rows, indicators and
  links, update campaigns, commit a resume point per batch.

Each starts from an empty, freshly migrated database: SQLite under ``var/bench/ingest-db/``,
PostgreSQL ``cp_h4_bench`` (dropped and created again; the server from
``CONTACTPOINT_BENCH_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/cp_h4_bench``).
Printed: wall seconds, reports/s, the ratio end to end ÷ limit, CPU seconds of the importing
process and of its workers (so a busy machine can be told from slow code), and peak memory
(maximum resident set of this process and, apart, of its largest worker). Times are wall-clock: the
work spans processes and the database server; other load on the machine slows both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, column, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service as accounts
from contactpoint.accounts.models import Organisation
from contactpoint.core import crypto, migrate
from contactpoint.core.access import Recipient
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import (
    make_engine,
    make_session_factory,
    new_ids,
    transaction,
    utcnow,
)
from contactpoint.correlation.models import Campaign, CampaignMember
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import copy, fastload
from contactpoint.reports.bulk import import_file
from contactpoint.reports.models import Report, Source, Status
from contactpoint.training import bulkgen
from contactpoint.training.bulkgen_text import COUNTRIES

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench"
PG_URL = os.environ.get(
    "CONTACTPOINT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/cp_h4_bench"
)
PLAIN_BATCH = 5000


def data_file(n: int, seed: int) -> Path:
    BENCH.mkdir(parents=True, exist_ok=True)
    path = BENCH / f"ingest-{n}-{seed}.jsonl"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        bulkgen.write_jsonl(tmp, n, seed=seed)
        tmp.rename(path)
        bulkgen.truth_path(tmp).rename(bulkgen.truth_path(path))
        print(f"generated {path.name} in {time.perf_counter() - t:.0f} s", flush=True)
    return path


def fresh_database(kind: str, suffix: str = "", keys: Path | None = None) -> Settings:
    """An empty, migrated database and its settings (and this process's keyring: the one in
    ``keys`` when given, so rows read from another database can be written here)."""
    var = BENCH / f"ingest-db-{kind}{suffix}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if keys is not None:
        shutil.copyfile(keys, var / "keys.json")
    if kind == "postgresql":
        url = make_url(PG_URL).set(drivername="postgresql+psycopg")
        url = url.set(database=f"{url.database}{suffix.replace('-', '_')}")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
        settings = Settings(var_dir=var, database_url=url.render_as_string(hide_password=False))
    else:
        settings = Settings(var_dir=var, database_url="")
    crypto.ensure_key_file(settings.effective_key_file)
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    return settings


def organisations(factory: sessionmaker[Session]) -> Actor:
    """A law-enforcement contact point per country (the receiving organisations) and the
    bank that imports."""
    with transaction(factory) as s:
        for code in sorted(COUNTRIES):
            accounts.create_organisation(s, SYSTEM, f"Police {code}", "law-enforcement", code)
        return submitter(accounts.create_organisation(s, SYSTEM, "Bench Bank", "bank", "FR"))


def submitter(bank: Organisation) -> Actor:
    """The bank, as the importer (and `ingest_incremental.py`'s API client) acts for it."""
    return Actor(
        user_id=None,
        org_id=bank.id,
        label="import:Bench Bank",
        permissions=frozenset({"reports:submit"}),
        org_kind=bank.kind.value,
        country=bank.country,
    )


def plain_rows(path: Path, org_id: uuid.UUID) -> Iterator[list[dict[str, Any]]]:
    """The same rows as bare ``reports`` columns, in batches: what a plain loader does."""
    now = utcnow()
    batch: list[dict[str, Any]] = []
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            d = json.loads(line)
            batch.append(
                {
                    "reference": f"{d['victim_country']}-{now.year}-{n:07d}",
                    "source": Source.BULK_FILE,
                    "reporting_org_id": org_id,
                    "external_id": d.get("external_id"),
                    "owner_org_id": org_id,
                    "created_by_id": None,
                    "tlp": d.get("tlp", "AMBER"),
                    "pap": d.get("pap", "AMBER"),
                    "crime_kind": d.get("crime_kind"),
                    "category": d.get("category", "traditional-crime"),
                    "victim_country": d["victim_country"],
                    "victim_type": d.get("victim_type", "person"),
                    "description": d["description"],
                    "loss_amount": d.get("loss_amount"),
                    "loss_currency": d.get("loss_currency"),
                    "suspect_identifiers": d.get("suspect_identifiers", []),
                    "contact_consent": bool(d.get("contact_consent", False)),
                    "share_with_other_authorities": False,
                    "anonymous": bool(d.get("anonymous", False)),
                    "status": Status.NEW,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) >= PLAIN_BATCH:
                yield with_ids(batch)
                batch = []
    if batch:
        yield with_ids(batch)


def with_ids(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The product's own ids (UUIDv7, made in bulk): random ones would slow the limit."""
    for row, rid in zip(batch, new_ids(len(batch)), strict=True):
        row["id"] = rid
    return batch


def run_plain(kind: str, path: Path) -> float:
    settings = fresh_database(kind)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    actor = organisations(factory)
    assert actor.org_id is not None
    t = time.perf_counter()
    for rows in plain_rows(path, actor.org_id):
        with transaction(factory) as s:
            copy.copy_rows(s, table_of(Report), rows)
    took = time.perf_counter() - t
    engine.dispose()
    return took


def run_all_rows(kind: str, source: Settings, batch_size: int) -> float:
    """The second limit: every row the end-to-end run wrote, campaigns aside (reports,
    recipients, full-text rows, indicators, links), copied from its database into a fresh
    one with the importer's own writer, batch by batch as the import wrote them (one
    transaction per ``batch_size`` reports, with their rows and the indicators they first
    held). Only the writing and the commits are timed, not the reading."""
    src_engine = make_engine(source)
    src = make_session_factory(src_engine)
    settings = fresh_database(kind, "-rows", keys=source.effective_key_file)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    tables = {  # name: (table, the column a batch's rows are read by)
        name: (table, table.c[key])
        for name, table, key in (
            ("reports", table_of(Report), "id"),
            ("recipients", table_of(Recipient), "object_id"),
            ("indicators", table_of(Indicator), "id"),
            ("links", table_of(ReportIndicator), "report_id"),
        )
    }
    fts_rowids: dict[str, int] = {}
    if kind == "sqlite":
        # FTS5 indexes only its rowid: read by report_id, every batch scanned the table.
        fts = fastload._FTS
        rowid: Any = column("rowid")
        tables["fts"] = (fts, rowid)
        with transaction(src) as s:
            pairs = s.execute(select(fts.c.report_id, rowid).select_from(fts))
            fts_rowids = {hex_id: n for hex_id, n in pairs}
    took = 0.0
    with transaction(src) as s, transaction(factory) as d:  # the organisations: untimed
        orgs = table_of(Organisation)
        copy.copy_rows(d, orgs, [dict(r._mapping) for r in s.execute(select(orgs))])
    with transaction(src) as s:
        report_ids = list(s.scalars(select(Report.id).order_by(Report.id)))
    copied: set[uuid.UUID] = set()
    for start in range(0, len(report_ids), batch_size):
        batch = report_ids[start : start + batch_size]
        rows: dict[str, list[dict[str, Any]]] = {}
        with transaction(src) as s:
            for name in ("reports", "recipients", "links", "fts"):
                if name in tables:
                    table, key = tables[name]
                    ids: list[Any] = batch if name != "fts" else [fts_rowids[r.hex] for r in batch]
                    rows[name] = read_rows(s, table, key, ids)
            new = sorted({r["indicator_id"] for r in rows["links"]} - copied, key=lambda i: i.int)
            copied.update(new)
            table, key = tables["indicators"]
            rows["indicators"] = read_rows(s, table, key, new)
        t = time.perf_counter()
        with transaction(factory) as d:
            for name in ("reports", "recipients", "fts", "indicators", "links"):
                if name in rows:
                    copy.copy_rows(d, tables[name][0], rows[name])
        took += time.perf_counter() - t
    with transaction(src) as s, transaction(factory) as d:  # the same rows, all of them
        for table, _ in tables.values():
            counted = [x.scalar(select(func.count()).select_from(table)) for x in (s, d)]
            assert counted[0] == counted[1], f"{table.name}: {counted[0]} read, {counted[1]} copied"
    engine.dispose()
    src_engine.dispose()
    return took


def table_of(model: Any) -> Table:
    return cast(Table, model.__table__)


def read_rows(s: Session, table: Table, key: Any, ids: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):
        out.extend(
            dict(r._mapping) for r in s.execute(select(table).where(key.in_(ids[i : i + 500])))
        )
    return out


def run_end_to_end(
    kind: str, path: Path, batch_size: int, workers: int | None
) -> tuple[float, dict[str, int | None], Settings]:
    settings = fresh_database(kind)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    actor = organisations(factory)
    size = path.stat().st_size
    last = [0.0]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30:
            last[0] = now
            print(f"  {kind}: {done / size:5.1%} of the file read", flush=True)

    t = time.perf_counter()
    cpu0 = os.times()
    server0 = server_cpu() if kind == "postgresql" else None
    summary = import_file(
        factory, settings, actor, path, batch_size=batch_size, workers=workers, progress=progress
    )
    took = time.perf_counter() - t
    cpu1 = os.times()
    engine.dispose()  # the server reaps the import's backend, and counts its CPU
    time.sleep(0.5)
    server1 = server_cpu() if server0 is not None else None
    with transaction(factory) as s:
        counts = {
            "parent cpu s": round(cpu1.user + cpu1.system - cpu0.user - cpu0.system),
            "worker cpu s": round(
                cpu1.children_user
                + cpu1.children_system
                - cpu0.children_user
                - cpu0.children_system
            ),
            "server cpu s": None if server1 is None else round(server1 - (server0 or 0)),
            "reports": int(s.scalar(select(func.count()).select_from(Report)) or 0),
            "indicators": int(s.scalar(select(func.count()).select_from(Indicator)) or 0),
            "links": int(s.scalar(select(func.count()).select_from(ReportIndicator)) or 0),
            "campaigns": int(s.scalar(select(func.count()).select_from(Campaign)) or 0),
            "in campaigns": int(s.scalar(select(func.count()).select_from(CampaignMember)) or 0),
            "rejected": summary.rejected,
        }
    engine.dispose()
    return took, counts, settings


def server_cpu() -> float | None:
    """CPU seconds used so far by the local PostgreSQL server: its live processes (backends,
    checkpointer, WAL writer, autovacuum) and those it has reaped. None when no server runs
    on this machine (or not on Linux)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = entry.read_text()
        except OSError:
            continue  # gone since listed
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        if name == "postgres":
            fields = raw[raw.rindex(")") + 2 :].split()
            stats[int(entry.parent.name)] = fields
    masters = [pid for pid, f in stats.items() if int(f[1]) not in stats]  # f[1]: parent
    if not masters:
        return None
    total = 0
    for pid, f in stats.items():  # f[11], f[12]: utime, stime; f[13], f[14]: reaped children
        total += int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if pid in masters else 0)
    return total / ticks


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=None, help="default: one per core")
    ap.add_argument("--seed", type=int, default=2007)
    args = ap.parse_args()
    path = data_file(args.reports, args.seed)
    mb = path.stat().st_size / 2**20
    print(f"{args.reports:,} reports, {mb:,.0f} MiB ({path}); load average {os.getloadavg()}")
    results = []
    for kind in args.db.split(","):
        plain = run_plain(kind, path)
        print(f"{kind}: plain insert {plain:.1f} s", flush=True)
        e2e, counts, source = run_end_to_end(kind, path, args.batch_size, args.workers)
        print(f"{kind}: end to end {e2e:.1f} s  {counts}", flush=True)
        rows = run_all_rows(kind, source, args.batch_size)
        print(f"{kind}: every row it wrote, copied (second limit) {rows:.1f} s", flush=True)
        results.append((kind, plain, rows, e2e, counts))
    print()
    print(
        "| database | plain insert (limit) | every row, copied (second limit) | end to end "
        "| ÷ limit | ÷ second limit | reports | campaigns |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    n = args.reports
    for kind, plain, rows, e2e, counts in results:
        print(
            f"| {kind} | {plain:.1f} s, {n / plain:,.0f}/s | {rows:.1f} s, {n / rows:,.0f}/s "
            f"| {e2e:.1f} s, {n / e2e:,.0f}/s | {e2e / plain:.1f}× | {e2e / rows:.1f}× "
            f"| {counts['reports']:,} | {counts['campaigns']:,} "
            f"({counts['in campaigns']:,} reports) |"
        )
    for kind, _, _, _, counts in results:
        server = counts["server cpu s"]
        print(
            f"{kind}: CPU seconds end to end: importer {counts['parent cpu s']}, workers "
            f"{counts['worker cpu s']}" + ("" if server is None else f", database server {server}")
        )
    print(
        f"\npeak memory: this process {peak_mb(resource.RUSAGE_SELF):,.0f} MiB, "
        f"largest worker {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MiB; "
        f"load average now {os.getloadavg()}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
