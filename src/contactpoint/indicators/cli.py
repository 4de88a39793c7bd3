"""`contactpoint indicators ...`: re-run extraction over stored reports.

Goes through reports.indicator_links (``report_batches``, ``reports_by_id``, ``reextract``,
``count_reports``): the reports sit above this area.
"""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select

from contactpoint.core import audit, crypto
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import fail
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import indicator_links

app = typer.Typer(help="Indicators: re-extraction over stored reports.", no_args_is_help=True)


@app.command("reextract")
def reextract(
    batch_size: int = typer.Option(200, min=1, help="Reports per committed batch."),
) -> None:
    """Extract the indicators of every stored report again (after an extractor upgrade).
    Idempotent: a second run changes nothing. Commits per batch, so it can be stopped and
    run again."""
    settings = get_settings()
    key_file = settings.effective_key_file
    if not key_file.exists():
        raise fail(f"no data key file at {key_file}; run `contactpoint init` first", 1)
    crypto.configure(crypto.Keyring.load(key_file))
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as s:
            total = indicator_links.count_reports(s)
            batches = list(indicator_links.report_batches(s, batch_size))
        with Progress(
            TextColumn("re-extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as progress:
            task = progress.add_task("reports", total=total)
            for ids in batches:
                with transaction(factory) as s:
                    indicator_links.reextract(s, indicator_links.reports_by_id(s, ids))
                progress.advance(task, len(ids))
        with transaction(factory) as s:
            links = s.scalar(select(func.count()).select_from(ReportIndicator)) or 0
            inds = s.scalar(select(func.count()).select_from(Indicator)) or 0
            audit.record(
                s, SYSTEM, "indicators.reextract", details={"reports": total, "links": links}
            )
    finally:
        engine.dispose()
    typer.echo(f"{total} reports, {inds} indicators, {links} links")
