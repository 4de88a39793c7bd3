"""`kill -9` of `contactpoint reports import` at random points, then run again until it
finishes: the database ends with exactly the file's rows (no loss, no duplicates) and
campaigns equal to a full recompute. The real CLI runs in a subprocess, with its worker
processes, on both databases."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.correlation import engine as correlation
from contactpoint.correlation.models import Campaign, CampaignMember, IndicatorLinkState
from contactpoint.reports.models import BulkImport, Report
from contactpoint.training import bulkgen
from factories import make_org

ROWS = 1000
KILLS = 2  # each run pays for loading the language model and warninglists


def cli_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["CONTACTPOINT_VAR_DIR"] = str(settings.var_dir)
    env["CONTACTPOINT_DATABASE_URL"] = settings.effective_database_url
    env["CONTACTPOINT_KEY_FILE"] = str(settings.effective_key_file)
    return env


def start(path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contactpoint.cli",
            "reports",
            "import",
            str(path),
            "--org",
            "Bank A",
            "--batch-size",
            "60",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stored(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def campaigns(s: Session) -> tuple[set[Any], set[Any]]:
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for rid, cid in s.execute(select(CampaignMember.report_id, CampaignMember.campaign_id)):
        members.setdefault(cid, set()).add(rid)
    groups = {
        (frozenset(members.get(c.id, set())), c.id, c.size, tuple(sorted(c.countries)))
        for c in s.scalars(select(Campaign))
    }
    states = {(st.indicator_id, st.state) for st in s.scalars(select(IndicatorLinkState))}
    return groups, states


def test_kill_9_at_random_points_then_rerun(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        make_org(s, "Bank A", "bank", "FR")
        for code in ("FR", "DE", "ES", "IT", "PL", "NL"):
            make_org(s, f"Police {code}", "law-enforcement", code)
    path = bulkgen.write_jsonl(tmp_path / "reports.jsonl", ROWS, seed=11)
    wanted = [json.loads(line)["external_id"] for line in path.read_text("utf-8").splitlines()]
    env = cli_env(settings)
    rnd = random.Random(2007)
    kill_at = sorted(rnd.sample(range(50, ROWS // 3), KILLS))
    killed: list[int] = []  # rows stored when each kill landed
    for threshold in kill_at:
        proc = start(path, env)
        deadline = time.monotonic() + 120
        while proc.poll() is None and stored(factory) < threshold:
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.01)
        # Land inside a batch or between two; briefly, as a fast import can finish first.
        time.sleep(rnd.uniform(0, 0.05))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed.append(stored(factory))
        proc.wait()
    assert len(killed) == KILLS and killed[0] < ROWS, f"killed too late: {killed}"
    for _ in range(3):  # then run it until it says it is done
        proc = start(path, env)
        out, _ = proc.communicate(timeout=300)
        if proc.returncode == 0:
            break
    assert proc.returncode == 0, out.decode()
    assert b"accepted" in out

    with transaction(factory) as s:
        ids = list(s.scalars(select(Report.external_id)))
        refs = list(s.scalars(select(Report.reference)))
        jobs = list(s.scalars(select(BulkImport)))
    assert len(ids) == ROWS and sorted(ids) == sorted(wanted)  # no loss, no duplicates
    assert len(set(refs)) == ROWS
    assert len(jobs) == 1 and jobs[0].finished_at is not None and jobs[0].accepted == ROWS

    # Workers die with their parent (PR_SET_PDEATHSIG): none outlives a killed import.
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False)
    assert str(path) not in ps.stdout

    with transaction(factory) as s:
        before = campaigns(s)
    assert before[0], "the generated file links reports into campaigns"
    with transaction(factory) as s:
        correlation.recompute(s, settings.correlation_max_campaigns)
    with transaction(factory) as s:
        assert campaigns(s) == before


def test_a_writer_gets_in_between_two_batches_on_sqlite(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings
) -> None:
    """SQLite has one writer at a time. While an import runs, another process's write
    transaction (a web request, a job) gets the lock between two batches: it does not wait
    for the whole import. Every transaction here takes the write lock up front."""
    if settings.effective_database_url.startswith("postgresql"):
        return  # PostgreSQL writers do not wait for each other's whole transactions
    with transaction(factory) as s:
        make_org(s, "Bank A", "bank", "FR")
    path = bulkgen.write_jsonl(tmp_path / "reports.jsonl", ROWS, seed=12)
    proc = start(path, cli_env(settings))
    seen: set[int] = set()
    waits: list[float] = []
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the import did not finish"
            t = time.monotonic()
            n = stored(factory)
            if proc.poll() is None:  # the import was still running when we got in
                seen.add(n)
                waits.append(time.monotonic() - t)
            time.sleep(0.01)
    finally:
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out.decode()
    # Batches of 60: the writer saw the import's progress, batch by batch, while it ran.
    partial = sorted(n for n in seen if 0 < n < ROWS)
    assert len(partial) >= 3, f"a writer got in during the import only at {sorted(seen)}"
    assert max(waits) < 5, f"a writer waited {max(waits):.1f} s for the lock"
