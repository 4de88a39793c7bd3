"""`contactpoint cooperation ...`: request types, the directory (import/export), escalation."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from contactpoint.cooperation import directory, escalation, service
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session, fail
from contactpoint.core.config import get_settings

app = typer.Typer(help="Cross-border cooperation requests and the directory.", no_args_is_help=True)
directory_app = typer.Typer(
    help="The directory of states (contact points, treaties).", no_args_is_help=True
)
app.add_typer(directory_app, name="directory")
console = Console()


@app.command("types")
def types_cmd() -> None:
    """List the request types with their clocks and sources ((check): not confirmed)."""
    with cli_session() as session:
        rules = service.rules_for(session)
    table = Table(title=f"Cooperation request types (rules as of {rules.as_of})")
    for col in ("code", "title", "clocks", "source"):
        table.add_column(col)
    for t in rules.types.values():
        clocks = "; ".join(
            f"{c.name} {c.duration}" + (" (check)" if c.check else "") for c in t.clocks
        )
        flag = " (not in force)" if t.not_in_force else ""
        table.add_row(
            t.code, t.title + flag, clocks or "—", t.citation + (" (check)" if t.check else "")
        )
    console.print(table)


@directory_app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV with the columns of `directory export`.",
    ),
) -> None:
    """Import the directory from CSV. Rows are matched by country (a second run changes
    nothing); each bad row is reported by its line and the good ones are taken."""
    text = file.read_text(encoding="utf-8-sig")
    with cli_session() as session:
        result = directory.import_csv(session, SYSTEM, text)
    for err in result.errors:
        console.print(
            f"[red]line {err['line']}[/red] {err['field']}: {err['message']}", highlight=False
        )
    console.print(
        f"{result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, "
        f"{len([e for e in result.errors if e['line'] > 1])} rejected"
    )
    if any(e["line"] > 1 for e in result.errors):
        raise typer.Exit(2)


@directory_app.command("export")
def export_cmd() -> None:
    """Write the directory as CSV to standard output (the format `import` reads)."""
    with cli_session() as session:
        names = service.org_names(session)
        rows = [directory.export_row(e, names) for e in directory.entries(session)]
    writer = csv.DictWriter(sys.stdout, fieldnames=list(directory.COLUMNS))
    writer.writeheader()
    writer.writerows(rows)


@app.command("escalate")
def escalate_cmd() -> None:
    """Run the escalation now (the job `cooperation.escalate` does it every 10 minutes)."""
    settings = get_settings()
    try:
        with cli_session(settings) as session:
            done = escalation.run(session, settings)
    except KeyError as exc:
        raise fail(str(exc)) from None
    console.print(f"{done.reminders} reminders, {done.escalations} escalations")
