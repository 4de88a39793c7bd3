"""Bulk import: the documented examples, same file twice, resume after a crash, rejects
by line and field, encodings, and the CLI."""

from __future__ import annotations

import csv
import gc
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.core import warmup
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.reports.bulk import import_file
from contactpoint.reports.filerows import FileFormatError
from contactpoint.reports.models import BulkImport, Report
from factories import actor_of, make_org, make_user, report_data, use_cli_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def bank(factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        org = make_org(s, "Bank A", "bank", "FR")
        make_org(s, "OFAC", "law-enforcement", "FR")
        return actor_of(make_user(s, org, ["bank-operator"]))


def rows(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def write_jsonl(path: Path, n: int, bad_lines: tuple[int, ...] = ()) -> Path:
    lines = []
    for i in range(1, n + 1):
        if i in bad_lines:
            lines.append(json.dumps(report_data(loss_currency=None, description=f"bad {i}")))
        else:
            body = report_data(description=f"Row {i}: paid for a phone that never came.")
            body.pop("external_id", None)  # ids come from file hash + line
            lines.append(json.dumps(body))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["reports.csv", "reports.jsonl"])
def test_documented_examples_import_cleanly(
    name: str, tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    shutil.copy(EXAMPLES / name, path)
    summary = import_file(factory, settings, bank, path)
    assert (summary.accepted, summary.rejected, summary.rejects) == (3, 0, [])
    assert rows(factory) == 3
    assert summary.rejects_file is None and not (tmp_path / f"{name}.rejects.csv").exists()


def test_same_file_twice_adds_no_rows(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "batch.jsonl", 7)
    first = import_file(factory, settings, bank, path, batch_size=3)
    assert (first.accepted, first.duplicates) == (7, 0)
    second = import_file(factory, settings, bank, path, batch_size=3)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 7, 0)
    assert rows(factory) == 7


def test_an_import_collects_garbage_less_often_and_restores_the_thresholds_after(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    path = write_jsonl(tmp_path / "batch.jsonl", 4)
    summary = import_file(
        factory,
        settings,
        bank,
        path,
        batch_size=2,
        workers=0,
        after_commit=lambda _line: during.append(gc.get_threshold()),
    )
    assert summary.accepted == 4
    assert during and set(during) == {warmup.BULK_THRESHOLDS}
    assert gc.get_threshold() == before


class Crash(Exception):
    pass


def test_resume_after_a_crash_between_batches(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "big.jsonl", 10)
    commits: list[int] = []

    def die_after_two(line: int) -> None:
        commits.append(line)
        if len(commits) == 2:
            raise Crash

    with pytest.raises(Crash):
        import_file(factory, settings, bank, path, batch_size=3, after_commit=die_after_two)
    assert rows(factory) == 6
    resumed = import_file(factory, settings, bank, path, batch_size=3)
    assert resumed.resumed_from_line == 6
    assert (resumed.accepted, resumed.duplicates) == (4, 0)
    assert rows(factory) == 10
    with transaction(factory) as s:
        job = s.scalars(select(BulkImport)).one()
        assert job.finished_at is not None and job.accepted == 10


def test_crash_inside_a_batch_commits_nothing_of_it(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "big.jsonl", 10)
    size = path.stat().st_size

    def kill(done: int) -> None:
        if done > size * 0.75:  # while reading row 8 of 10: batch 7-9 not yet committed
            raise Crash

    # In-process (workers=0), reading keeps pace with writing; with worker processes the
    # parent reads ahead, and the kill -9 test covers that (test_import_kill.py).
    with pytest.raises(Crash):
        import_file(factory, settings, bank, path, batch_size=3, workers=0, progress=kill)
    assert rows(factory) == 6
    again = import_file(factory, settings, bank, path, batch_size=3)
    assert (again.resumed_from_line, again.accepted) == (6, 4)
    assert rows(factory) == 10


def test_rejects_name_line_and_field_and_good_rows_stay(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "mixed.jsonl", 6, bad_lines=(2, 5))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"description": "no country", "crime_kind": "fraud", "colour": 1}\n')
        fh.write("not json\n")
    summary = import_file(factory, settings, bank, path, batch_size=4)
    assert (summary.accepted, summary.rejected) == (4, 4)
    got = {(r.line, r.field) for r in summary.rejects}
    assert {
        (2, "loss_currency"),
        (5, "loss_currency"),
        (7, "victim_country"),
        (7, "colour"),
        (8, None),
    } <= got
    assert rows(factory) == 4
    with (tmp_path / "mixed.jsonl.rejects.csv").open(encoding="utf-8") as fh:
        written = list(csv.reader(fh))
    assert written[0] == ["line", "field", "message"]
    assert ["2", "loss_currency", "required when loss_amount is given"] in written


def test_csv_encodings(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    text = (
        "external_id,crime_kind,victim_country,description\n"
        "e1,fraud,FR,Escroquerie au faux conseiller bancaire : on m'a vidé le compte.\n"
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert import_file(factory, settings, bank, bom).accepted == 1
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.replace("e1", "e2").encode("cp1252"))
    with pytest.raises(FileFormatError) as exc:
        import_file(factory, settings, bank, latin, encoding="utf-8")
    assert exc.value.line == 2
    summary = import_file(factory, settings, bank, latin)
    assert summary.accepted == 1 and "Windows-1252" in summary.warnings[0]
    with transaction(factory) as s:
        descs = set(s.scalars(select(Report.description)))
    assert "Escroquerie au faux conseiller bancaire : on m'a vidé le compte." in descs


def test_cli_import_prints_a_summary(
    tmp_path: Path,
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    bank,
) -> None:  # type: ignore[no-untyped-def]
    from contactpoint.cli import app

    use_cli_settings(monkeypatch, settings)
    path = write_jsonl(tmp_path / "cli.jsonl", 3, bad_lines=(3,))
    result = CliRunner().invoke(app, ["reports", "import", str(path), "--org", "Bank A"])
    assert result.exit_code == 1, result.output
    assert "2 accepted" in result.output and "1 rejected" in result.output
    assert "loss_currency" in result.output
    again = CliRunner().invoke(app, ["reports", "import", str(path), "--org", "Bank A"])
    assert "2 duplicates skipped" in again.output
    unknown = CliRunner().invoke(app, ["reports", "import", str(path), "--org", "Nobody"])
    assert unknown.exit_code == 2
    assert rows(factory) == 2


def test_tables_are_analyzed_as_the_import_doubles_and_vacuumed_at_its_end(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank
) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the importer runs ANALYZE on the tables it writes after 1, 2, 4, …
    rows written, so the planner never works from an empty table's statistics during a big
    load, and VACUUM (ANALYZE) when it ends, so the pages it wrote are marked all-visible
    and index-only scans read no table page."""

    def runs() -> dict[str, tuple[int, int]]:
        with transaction(factory) as s:
            rows = s.execute(
                text(
                    "SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables "
                    "WHERE relname IN ('reports', 'report_indicators', 'campaigns', "
                    "'campaign_members')"
                )
            )
            return {name: (int(v), int(a)) for name, v, a in rows}

    postgresql = settings.effective_database_url.startswith("postgresql")
    before = runs() if postgresql else {}
    path = write_jsonl(tmp_path / "five.jsonl", 5)
    import_file(factory, settings, bank, path, batch_size=1, workers=0)
    if not postgresql:
        return  # SQLite plans from its own indexes and keeps no visibility map
    after = runs()
    # (vacuums, analyses): analyzed after rows 1, 2 and 4, vacuumed and analyzed at the end.
    assert {
        t: (v - before.get(t, (0, 0))[0], a - before.get(t, (0, 0))[1])
        for t, (v, a) in after.items()
    } == {t: (1, 4) for t in ("reports", "report_indicators", "campaigns", "campaign_members")}
    with transaction(factory) as s:
        # ANALYZE writes the row count it saw, and VACUUM the pages it marked all-visible.
        seen, visible, pages = s.execute(
            text(
                "SELECT reltuples, relallvisible, relpages FROM pg_class WHERE relname = 'reports'"
            )
        ).one()
    assert seen >= 5
    assert pages > 0 and visible == pages
