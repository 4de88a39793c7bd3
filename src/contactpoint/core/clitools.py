"""Helpers for CLI commands: one database transaction per command, and clear errors.

Usage in an area's cli.py::

    with cli_session() as session:
        service.do_something(session, SYSTEM, ...)

Bad input raised by a service (InvalidInput, NotFound, Conflict, Forbidden) is printed in
red naming the problem, and the command exits with code 2 (as Typer does for bad options);
nothing is committed then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from contactpoint.core import crypto
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.core.errors import ContactpointError

err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise: ``raise fail("...")``."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[Session]:
    """Settings, data keys, engine and one transaction that commits when the block ends."""
    settings = settings or get_settings()
    key_file = settings.effective_key_file
    if not key_file.exists():
        raise fail(f"no data key file at {key_file}; run `contactpoint init` first", 1)
    crypto.configure(crypto.Keyring.load(key_file))
    engine = make_engine(settings)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    except ContactpointError as exc:
        raise fail(exc.detail) from None
    finally:
        engine.dispose()
