"""Incremental linking on the database at size: reports submitted one at a time through the
API's path into the database `bench/ingest.py` left behind (1,000,000 reports).

    .venv/bin/python bench/ingest_incremental.py [--reports 200] [--db sqlite,postgresql]

Run it after `bench/ingest.py`: it opens `var/bench/ingest-db-sqlite/` and the PostgreSQL
database `cp_h4_bench` as that run left them. The reports are lines of the same generated
file, spread over it (every N-th line), given new external ids: new reports of campaigns the
database already holds, which is what makes linking work (a merge, a growing campaign).

Each report is two transactions, timed apart, as the API and the job worker run them (with
``--burst N``, N submissions and then their N link jobs, as a worker that fell behind runs
them: an earlier report's link may pull a later one into its campaign first; with
``--twins``, each report is submitted twice before the two link jobs run, so the second is
always pulled in by the first):

- **submit**: ``reports.service.submit`` (validation, extraction, redaction, indicators,
  recipients, full-text row, audit entry), what ``POST /api/v1/reports`` commits;
- **link**: ``correlation.service.link_reports`` for that report, what the
  ``correlation.link`` job runs right after (the delta path: one stored holder per
  indicator stands for its campaign, only what changed is written);
- **split**, when the report took an indicator over the cap: the ``correlation.split`` job
  that the link queued (``correlation.service.take_apart``), in its own transaction, as a
  worker runs it. It reads every member of the campaigns the indicator had joined.

Before the first report the process settles as the web process and the job worker do at
startup (``core.warmup.settle``: warninglists, language model and phone tables loaded, the
heap frozen), so the first report does not time the loading.

Printed: p50, p99 and max wall milliseconds of submit and link, how many reports queued a
split with its p50 and max, and the campaign sizes met. With ``--tail N``, the N slowest
links apart: their statements (count and time waiting on the driver, from SQLAlchemy's cursor
events), their commit, and the rest (Python), so a tail can be told from its cause.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import ingest  # bench/ingest.py, beside this file
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.models import Organisation
from contactpoint.core import crypto, warmup
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.correlation import service as correlation
from contactpoint.correlation.models import CampaignMember
from contactpoint.reports import service as reports
from contactpoint.reports.models import Report, Source
from contactpoint.reports.schemas import ReportIn

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench"
PG_URL = os.environ.get(
    "CONTACTPOINT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/cp_h4_bench"
)


def open_database(kind: str) -> Settings:
    var = BENCH / f"ingest-db-{kind}"
    if kind == "postgresql":
        url = make_url(PG_URL).set(drivername="postgresql+psycopg")
        settings = Settings(var_dir=var, database_url=url.render_as_string(hide_password=False))
    else:
        settings = Settings(var_dir=var, database_url="")
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    return settings


def bank(factory: sessionmaker[Session]) -> Actor:
    with transaction(factory) as s:
        return ingest.submitter(
            s.scalars(select(Organisation).where(Organisation.name == "Bench Bank")).one()
        )


def sample(path: Path, n: int, stored: int) -> list[dict[str, Any]]:
    """``n`` lines spread over the first ``stored`` lines of the file, as new reports."""
    step = max(1, stored // n)
    wanted = set(range(1, stored + 1, step))
    out: list[dict[str, Any]] = []
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line_no in wanted:
                row = json.loads(line)
                # Unique per run (``stored`` grows): a line added by an earlier run is a new
                # report again, not a duplicate the API would hand back already linked.
                row["external_id"] = f"again-{stored}-{line_no}"
                out.append(row)
                if len(out) >= n:
                    break
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def campaign_size(s: Session, rid: Any) -> int:
    member = CampaignMember
    cid = s.scalar(select(member.campaign_id).where(member.report_id == rid))
    if cid is None:
        return 1
    return int(s.scalar(select(func.count()).where(member.campaign_id == cid)) or 0)


class StatementClock:
    """Statements run and seconds spent in them since :meth:`reset` (cursor events)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.seconds = 0.0
        self.slowest = (0.0, "")
        self._start = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.count, self.seconds, self.slowest = 0, 0.0, (0.0, "")

    def _before(self, *_: Any) -> None:
        self._start = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        took = time.perf_counter() - self._start
        self.count += 1
        self.seconds += took
        if took > self.slowest[0]:
            self.slowest = (took, " ".join(statement.split())[:90])


def run(kind: str, n: int, tail: int = 0, burst: int = 1, twins: bool = False) -> None:
    settings = open_database(kind)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    clock = StatementClock(engine)
    details: list[tuple[float, int, float, float, tuple[float, str]]] = []
    actor = bank(factory)
    with transaction(factory) as s:
        stored = int(s.scalar(select(func.count()).select_from(Report)) or 0)
    files = sorted(BENCH.glob("ingest-*-2007.jsonl"), key=lambda p: p.stat().st_size)
    path = files[-1]
    rows = sample(path, n, stored)
    if twins:  # the same report twice (two victims of one sender), then both link jobs
        rows = [r for row in rows for r in (row, {**row, "external_id": row["external_id"] + "t"})]
        burst = 2
    warmup.settle()  # as `contactpoint serve` and `contactpoint worker` do at startup
    submit_ms: list[float] = []
    link_ms: list[float] = []
    split_ms: list[float] = []
    sizes: list[int] = []
    pulled_ms: list[float] = []
    for at in range(0, len(rows), burst):
        # A burst: its reports submitted one after another, then their link jobs (the
        # worker behind). With bursts of 1, each report is linked before the next arrives.
        submitted: list[tuple[Any, float]] = []
        for row in rows[at : at + burst]:
            data = ReportIn.model_validate(row)
            t0 = time.perf_counter()
            with transaction(factory) as s:
                rid = reports.submit(s, actor, data, source=Source.API).report.id
            submitted.append((rid, time.perf_counter() - t0))
        for rid, took_submit in submitted:
            with transaction(factory) as s:
                pulled = campaign_size(s, rid) > 1  # an earlier job pulled it in
            t1 = time.perf_counter()
            clock.reset()
            session = factory()
            try:
                linked: Any = correlation.link_reports(session, [rid])
                # Before 8bbcbfc it returned the crossed indicators alone (for runs of older
                # code from a worktree, PYTHONPATH=<worktree>/src).
                crossed = getattr(linked, "crossed", linked)
                t_work = time.perf_counter()
                session.commit()
            finally:
                session.close()
            t2 = time.perf_counter()
            details.append(((t2 - t1), clock.count, clock.seconds, t2 - t_work, clock.slowest))
            submit_ms.append(took_submit * 1000)
            link_ms.append((t2 - t1) * 1000)
            if pulled:
                pulled_ms.append((t2 - t1) * 1000)
            if crossed:  # the correlation.split job the link queued, as a worker runs it
                with transaction(factory) as s:
                    correlation.take_apart(s, crossed)
                split_ms.append((time.perf_counter() - t2) * 1000)
            with transaction(factory) as s:
                sizes.append(campaign_size(s, rid))
    engine.dispose()
    print(
        f"{kind}: {stored:,} reports stored, {len(rows)} added in bursts of {burst} "
        f"(campaign size after: median {statistics.median(sizes):,.0f}, max {max(sizes):,});"
        f" {len(pulled_ms)} were in a campaign before their own link (pulled in by an earlier one)"
    )
    if pulled_ms:
        print(
            f"  link of those pulled in: p50 {pct(pulled_ms, 0.5):.1f} ms,"
            f" p99 {pct(pulled_ms, 0.99):.1f} ms, max {max(pulled_ms):.1f} ms"
        )
    for name, ms in (("submit", submit_ms), ("link", link_ms)):
        print(
            f"  {name}: p50 {pct(ms, 0.5):.1f} ms, p99 {pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"
        )
    total = [a + b for a, b in zip(submit_ms, link_ms, strict=True)]
    print(f"  both: p50 {pct(total, 0.5):.1f} ms, p99 {pct(total, 0.99):.1f} ms")
    if split_ms:
        print(
            f"  split jobs queued by {len(split_ms)} of the reports: p50 {pct(split_ms, 0.5):.1f}"
            f" ms, max {max(split_ms):.1f} ms"
        )
    else:
        print("  split jobs: none queued")
    for took, count, waited, commit, (slow, text) in sorted(details, reverse=True)[:tail]:
        print(
            f"    link {took * 1000:.1f} ms: {count} statements {waited * 1000:.1f} ms, commit"
            f" {commit * 1000:.1f} ms, the rest {(took - waited - commit) * 1000:.1f} ms;"
            f" slowest {slow * 1000:.1f} ms: {text}"
        )
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--tail", type=int, default=0, help="show the N slowest links apart")
    ap.add_argument(
        "--burst", type=int, default=1, help="submit N reports, then run their N link jobs"
    )
    ap.add_argument(
        "--twins",
        action="store_true",
        help="submit each report twice, then link both: the second is pulled in by the first",
    )
    args = ap.parse_args()
    print(f"load average {os.getloadavg()}")
    for kind in args.db.split(","):
        run(kind, args.reports, args.tail, args.burst, args.twins)


if __name__ == "__main__":
    main()
