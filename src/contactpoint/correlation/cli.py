"""`contactpoint campaigns ...`: full recompute of the campaigns; notices to contact points."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from contactpoint.core import crypto
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import fail
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.correlation import notices, service

app = typer.Typer(help="Campaigns: reports linked by shared indicators.", no_args_is_help=True)


@app.command("recompute")
def recompute() -> None:
    """Rebuild every campaign from the stored report-indicator links, in one transaction.
    Campaign ids are kept where their members stay together. Needed once after upgrading,
    after `indicators reextract`, and after changing CONTACTPOINT_CORRELATION_MAX_CAMPAIGNS."""
    settings = get_settings()
    key_file = settings.effective_key_file
    if not key_file.exists():
        raise fail(f"no data key file at {key_file}; run `contactpoint init` first", 1)
    crypto.configure(crypto.Keyring.load(key_file))
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with Progress(
            TextColumn("storing campaigns"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as progress:
            task = progress.add_task("campaigns", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            with transaction(factory) as s:
                s.info["settings"] = settings
                n = service.recompute(s, SYSTEM, step)
    finally:
        engine.dispose()
    typer.echo(f"{n} campaigns")


@app.command("notify")
def notify() -> None:
    """Tell contact points now about campaigns that first span two or more countries, or grew
    in a country since their last notice (the `correlation.notify` job also runs every 15
    minutes). Running it again notifies nobody twice."""
    settings = get_settings()
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as s:
            s.info["settings"] = settings
            done = notices.run(s, settings)
    finally:
        engine.dispose()
    typer.echo(f"{done.campaigns} campaigns notified, {done.notifications} notifications")
