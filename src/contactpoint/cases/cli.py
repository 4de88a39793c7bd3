"""`contactpoint cases ...`: checks an operator or auditor runs on the evidence store."""

from __future__ import annotations

import typer
from rich.console import Console

from contactpoint.cases import custody, evidence, vault
from contactpoint.cases.models import Evidence
from contactpoint.core.access import select_visible
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session

app = typer.Typer(help="Cases and evidence.", no_args_is_help=True)
console = Console()


@app.command("verify")
def verify(
    files: bool = typer.Option(
        True, "--files/--no-files", help="Also decrypt each file and compare its SHA-256."
    ),
) -> None:
    """Check every evidence item's chain of custody and, by default, its encrypted file."""
    problems = 0
    checked = 0
    with cli_session() as session:
        root = evidence.evidence_root(session)
        for ev in session.scalars(select_visible(Evidence, SYSTEM).order_by(Evidence.created_at)):
            checked += 1
            result = custody.verify(session, ev.id)
            if not result.ok:
                problems += 1
                console.print(
                    f"[red]{ev.id}[/red] {ev.filename}: custody entry {result.broken_seq}: "
                    f"{result.problem}"
                )
            if not files:
                continue
            path = vault.path_for(root, ev.sha256)
            try:
                ok = path.exists() and vault.sha256_of(path) == ev.sha256
                why = "file missing" if not path.exists() else "content hash differs"
            except vault.CorruptEvidence as exc:
                ok, why = False, str(exc)
            if not ok:
                problems += 1
                console.print(f"[red]{ev.id}[/red] {ev.filename}: {why}")
    if problems:
        console.print(f"[red]{problems} problem(s)[/red] in {checked} evidence items")
        raise typer.Exit(1)
    console.print(f"[green]evidence intact[/green]: {checked} items checked")
