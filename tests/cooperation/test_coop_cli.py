"""`contactpoint cooperation ...` in-process against the test database."""

from __future__ import annotations

from typer.testing import CliRunner

from contactpoint.cli import app
from factories import use_cli_settings


def test_directory_import_reports_bad_rows_by_line_and_keeps_good_ones(
    settings, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)
    path = tmp_path / "dir.csv"
    path.write_text(
        "country,name,eu_member,ets185,ets185_date\n"
        "PT,Portugal,yes,party,2010-03-24\n"
        "ES,Spain,maybe,party,\n"
        "X1,Nowhere,no,none,\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["cooperation", "directory", "import", str(path)])
    assert result.exit_code == 2, result.output
    assert "line 3 eu_member: expected yes or no, got 'maybe'" in result.output
    assert "line 4 country: expected a two-letter code" in result.output
    assert "0 created, 1 updated" in result.output
    out = runner.invoke(app, ["cooperation", "directory", "export"]).output
    assert "PT,Portugal,yes,no,,,,,party,2010-03-24" in out
    # A second run of the good row changes nothing.
    path.write_text("country,name,eu_member,ets185,ets185_date\nPT,Portugal,yes,party,2010-03-24\n")
    again = runner.invoke(app, ["cooperation", "directory", "import", str(path)])
    assert again.exit_code == 0 and "0 created, 0 updated, 1 unchanged" in again.output
    types = runner.invoke(app, ["cooperation", "types"])
    assert types.exit_code == 0 and "preservation-mla" in types.output
