"""Core commands: init, serve, worker, audit, keys."""

from __future__ import annotations

import typer
from rich.console import Console

from contactpoint.core import audit, bootstrap, crypto, warmup
from contactpoint.core.clitools import fail
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction

app = typer.Typer()
audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
keys_app = typer.Typer(
    help="Manage the data keys (personal-data encryption).", no_args_is_help=True
)
console = Console()


@app.command()
def init() -> None:
    """Create ./var, the data key file (mode 0600) and apply database migrations."""
    settings = get_settings()
    result = bootstrap.initialise(settings)
    if result.key_created:
        console.print(
            f"created data key file {settings.effective_key_file} (mode 0600): "
            "back it up, see docs/operator.md"
        )
    console.print(f"database ready: {result.database_url}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default from settings)."),
    port: int | None = typer.Option(None, help="Port (default from settings)."),
    reload: bool = typer.Option(False, help="Reload on code change (development)."),
) -> None:
    """Apply migrations and serve the web UI and API."""
    import uvicorn

    settings = get_settings()
    bootstrap.initialise(settings)
    uvicorn.run(
        "contactpoint.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        proxy_headers=True,
    )


@app.command()
def worker(
    burst: bool = typer.Option(
        False, "--burst", help="Run the jobs that are due, then exit (cron, tests)."
    ),
    concurrency: int | None = typer.Option(
        None, help="Jobs run at once (PostgreSQL; default CONTACTPOINT_WORKER_CONCURRENCY)."
    ),
) -> None:
    """Run background jobs: procrastinate on PostgreSQL, the job_queue runner on SQLite."""
    from contactpoint.core import jobs
    from contactpoint.core.jobs_runner import JobRunner, run_pending

    settings = get_settings()
    if not settings.effective_key_file.exists():
        raise fail(f"no data key file at {settings.effective_key_file}; run `contactpoint init`", 1)
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    factory = make_session_factory(make_engine(settings))
    names = ", ".join(sorted(jobs.discover())) or "none"
    warmup.settle()  # the jobs' modules are imported: load their tables, freeze the heap
    if not settings.is_sqlite:
        from contactpoint.core import jobs_pg

        console.print(f"procrastinate worker for jobs: {names}")
        jobs_pg.run_worker(settings, factory, wait=not burst, concurrency=concurrency)
        return
    if burst:
        console.print(f"ran {run_pending(factory)} job(s)")
        return
    console.print(f"job runner (SQLite) for jobs: {names}; Ctrl+C stops it")
    runner = JobRunner(settings, factory)
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every entry's hash and link; name the first entry that breaks the chain."""
    settings = get_settings()
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    factory = make_session_factory(make_engine(settings))
    with transaction(factory) as session:
        result = audit.verify(session)
    if result.ok:
        console.print(f"[green]audit log intact[/green]: {result.checked} entries checked")
        return
    console.print(
        f"[red]audit log BROKEN at entry {result.broken_seq}[/red]: {result.problem} "
        f"({result.checked} entries before it are intact)"
    )
    raise typer.Exit(1)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new AES key, make it active, and re-encrypt every encrypted column with it."""
    from contactpoint.core.keys import rotate

    settings = get_settings()
    path = settings.effective_key_file
    ring = crypto.Keyring.load(path)
    factory = make_session_factory(make_engine(settings))
    count, kid = rotate(factory, ring, path)
    console.print(f"active key is now {kid}; re-encrypted {count} values")
