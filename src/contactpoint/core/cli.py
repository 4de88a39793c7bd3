"""Core commands: init, serve, worker, audit, keys."""

from __future__ import annotations

import typer
from rich.console import Console

from contactpoint.core import audit, bootstrap, crypto
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction

app = typer.Typer()
audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the data keys (personal-data encryption).",
                       no_args_is_help=True)
console = Console()


@app.command()
def init() -> None:
    """Create ./var, the data key file (mode 0600) and apply database migrations."""
    settings = get_settings()
    result = bootstrap.initialise(settings)
    if result.key_created:
        console.print(f"created data key file {settings.effective_key_file} (mode 0600): "
                      "back it up, see docs/operator.md")
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
