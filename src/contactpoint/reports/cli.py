"""`contactpoint reports ...`: bulk import of CSV / JSON Lines files."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.models import Organisation
from contactpoint.core import crypto
from contactpoint.core.actor import Actor
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.reports.bulk import FORMATS, import_file
from contactpoint.reports.csvfile import ENCODINGS
from contactpoint.reports.filerows import FileFormatError

app = typer.Typer(help="Report intake: bulk files.", no_args_is_help=True)
console = Console()


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV or JSON Lines file (docs/reports.md).",
    ),
    fmt: str | None = typer.Option(
        None, "--format", help=f"One of {', '.join(FORMATS)}; default from the file name."
    ),
    org: str | None = typer.Option(
        None,
        help="Organisation that submits the reports "
        "(default: the only organisation, if there is one).",
    ),
    batch_size: int = typer.Option(5000, min=1, help="Rows per committed batch."),
    workers: int | None = typer.Option(
        None,
        min=0,
        help="Processes that parse, validate and extract (default: one per core; "
        "0: all in this process).",
    ),
    encoding: str = typer.Option(
        "auto",
        help=f"CSV encoding: {', '.join(ENCODINGS)}. "
        "auto reads non-UTF-8 lines as Windows-1252 and says so.",
    ),
) -> None:
    """Import reports from a file. Commits in batches; re-run the same file after a crash to
    resume, and re-running a finished file adds no duplicates. Bad rows are listed with
    their line and field, and written to FILE.rejects.csv."""
    settings = get_settings()
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    factory = make_session_factory(make_engine(settings))
    actor = _actor(factory, org)
    size = file.stat().st_size
    clock = _Rate()
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"importing {file.name}", total=size or 1, rate="-")
            last_bytes = [0]

            def read(done: int) -> None:
                if done - last_bytes[0] >= 65536 or done >= size:  # not on every row
                    last_bytes[0] = done
                    bar.update(task, completed=done)

            def committed(line: int) -> None:
                bar.update(task, rate=clock.rate(line))

            summary = import_file(
                factory,
                settings,
                actor,
                file,
                fmt=fmt,
                batch_size=batch_size,
                encoding=encoding,
                workers=workers,
                progress=read,
                after_commit=committed,
            )
    except FileFormatError as exc:
        console.print(f"[red]{file.name}: {exc}[/red] (nothing was imported)")
        raise typer.Exit(2) from None
    if summary.resumed_from_line:
        console.print(f"resumed after line {summary.resumed_from_line}")
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(
        f"[green]{summary.accepted} accepted[/green], "
        f"{summary.duplicates} duplicates skipped, "
        f"[red]{summary.rejected} rejected[/red]"
    )
    if summary.rejects:
        table = Table("line", "field", "message", title="Rejected rows")
        for r in summary.rejects[:50]:
            table.add_row(str(r.line), r.field or "", r.message)
        console.print(table)
        if len(summary.rejects) > 50:
            console.print(f"... and {len(summary.rejects) - 50} more")
    if summary.rejects_file:
        console.print(f"rejected rows written to {summary.rejects_file}")
    if summary.rejected:
        raise typer.Exit(1)


class _Rate:
    """Rows committed per second since the first commit of this run."""

    def __init__(self) -> None:
        self.start: tuple[float, int] | None = None

    def rate(self, line: int) -> str:
        now = time.monotonic()
        if self.start is None:
            self.start = (now, line)
            return "-"
        took = now - self.start[0]
        return f"{(line - self.start[1]) / took:,.0f}" if took > 0 else "-"


def _actor(factory: sessionmaker[Session], org_name: str | None) -> Actor:
    """The organisation's import identity: it may submit, nothing else."""
    with transaction(factory) as s:
        query = select(Organisation).where(Organisation.active.is_(True))
        if org_name:
            query = query.where(Organisation.name == org_name)
        orgs = list(s.scalars(query.limit(2)))
    if not orgs:
        console.print(
            f"[red]no active organisation named {org_name!r}[/red]"
            if org_name
            else "[red]no organisation yet: create one first (contactpoint org)[/red]"
        )
        raise typer.Exit(2)
    if len(orgs) > 1:
        console.print("[red]several organisations exist: choose one with --org NAME[/red]")
        raise typer.Exit(2)
    o = orgs[0]
    return Actor(
        user_id=None,
        org_id=o.id,
        label=f"import:{o.name}",
        permissions=frozenset({"reports:submit"}),
        org_kind=o.kind.value,
        country=o.country,
    )
