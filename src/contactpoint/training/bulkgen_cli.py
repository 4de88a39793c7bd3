"""`contactpoint scenario generate`: a big synthetic JSON Lines file for imports and
benchmarks (training/bulkgen.py), with its ground truth beside it."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from contactpoint.core.clitools import fail
from contactpoint.training import bulkgen

app = typer.Typer(help="Synthetic scenarios for imports and benchmarks.", no_args_is_help=True)
console = Console()


@app.command("generate")
def generate(
    reports: int = typer.Option(..., "--reports", min=1, help="Number of reports (lines)."),
    seed: int = typer.Option(2007, help="Same seed, same bytes."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="JSON Lines file to write."),
) -> None:
    """Write REPORTS synthetic reports to OUT (import it with `contactpoint reports import
    OUT`) and the campaign each was drawn from to OUT.truth.csv."""
    if not out.parent.is_dir():
        raise fail(f"no directory {out.parent}")
    started = time.monotonic()
    with Progress(
        TextColumn(f"[bold]writing {out.name}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("lines", total=reports)
        bulkgen.write_jsonl(
            out, reports, seed=seed, progress=lambda done: bar.update(task, completed=done)
        )
    took = time.monotonic() - started
    console.print(
        f"{reports} reports written to {out} in {took:.1f} s "
        f"({reports / max(took, 1e-9):,.0f}/s); ground truth in {bulkgen.truth_path(out)}"
    )
