"""`contactpoint blocking ...`: the signing key, signature checks, publishing and exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from contactpoint.blocking import service, signing, writers
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session, fail
from contactpoint.core.config import get_settings

app = typer.Typer(
    help="National blocklists: keys, signatures, versions, exports.", no_args_is_help=True
)
console = Console()


@app.command("keygen")
def keygen(
    force: bool = typer.Option(
        False,
        "--force",
        help="Replace an existing key (providers must then fetch the new public key).",
    ),
) -> None:
    """Make the node's Ed25519 signing key (VAR_DIR/blocklist-signing-key.pem, mode 0600).
    Exports make it on first use too; this command makes it ahead of time."""
    path = signing.key_path(get_settings().var_dir)
    try:
        key = signing.generate(path, overwrite=force)
    except FileExistsError:
        raise fail(f"{path} exists; pass --force to replace it") from None
    console.print(f"wrote {path}")
    sys.stdout.write(signing.public_pem(key).decode())


@app.command("public-key")
def public_key() -> None:
    """Print the public key (also served at /.well-known/contactpoint/blocklist-signing-key.pem)."""
    sys.stdout.write(service.public_key_pem(get_settings().var_dir).decode())


@app.command("verify")
def verify(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The downloaded export."),
    sig: Path = typer.Argument(..., exists=True, dir_okay=False, help="Its .sig file."),
    public_key: Path | None = typer.Option(
        None,
        "--public-key",
        exists=True,
        dir_okay=False,
        help="PEM public key of the publishing node. Default: this node's own key.",
    ),
) -> None:
    """Check a detached Ed25519 signature. Exit code 0: valid; 1: not valid."""
    pem = public_key.read_bytes() if public_key else service.public_key_pem(get_settings().var_dir)
    try:
        ok = signing.verify(pem, file.read_bytes(), sig.read_bytes())
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not ok:
        raise fail(f"BAD signature: {file} was not signed by this key or was changed", 1)
    console.print(f"signature OK: {file}")


@app.command("publish")
def publish(country: str = typer.Argument(..., help="ISO country code, e.g. FR")) -> None:
    """Publish a new version of a country's list with the entries valid now."""
    with cli_session() as session:
        v = service.publish(session, SYSTEM, country)
        console.print(f"published {country.upper()} version {v.serial} ({v.entry_count} entries)")


@app.command("import")
def import_csv(
    country: str = typer.Argument(..., help="ISO country code of an existing list"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV of entries"),
) -> None:
    """Add entries from CSV (columns: kind,value,block_host,category,legal_basis,
    decision_reference,valid_from,valid_until,redress_text,redress_url). Bad lines are
    reported by number and the good ones are added; a second run adds nothing new."""
    with cli_session() as session:
        result = service.bulk_add(session, SYSTEM, country, file.read_text(encoding="utf-8-sig"))
    for e in result["errors"]:
        console.print(f"line {e['line']}: {e['field']}: {e['message']}", highlight=False)
    console.print(
        f"added {result['added']}, skipped {result['skipped']}, "
        f"rejected lines {len({e['line'] for e in result['errors']})}"
    )


@app.command("export")
def export(
    country: str = typer.Argument(...),
    fmt: str = typer.Argument(..., metavar="FORMAT", help=", ".join(writers.FORMATS)),
    version: str = typer.Option("latest", "--version", help="Serial or 'latest'."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write; FILE.sig is written too."),
) -> None:
    """Write one export and its detached signature."""
    with cli_session() as session:
        try:
            _v, data = service.download(session, SYSTEM, country, version, fmt)
        except service.UnknownVersion as exc:
            raise fail(exc.detail) from None
    out.write_bytes(data)
    Path(f"{out}.sig").write_bytes(service.sign(get_settings().var_dir, data))
    console.print(f"wrote {out} and {out}.sig")


@app.command("versions")
def versions(country: str = typer.Argument(...)) -> None:
    """List the published versions of a country's list (JSON)."""
    with cli_session() as session:
        rows = [
            {
                "serial": v.serial,
                "published_at": v.published_at.isoformat(),
                "entries": v.entry_count,
                "hash_checksum": v.hash_checksum,
            }
            for v in service.versions(session, SYSTEM, country)
        ]
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")
