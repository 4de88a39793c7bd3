"""`contactpoint providers ...`: the provider directory, the re-check run, compliance."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session, fail
from contactpoint.core.db import utcnow
from contactpoint.core.errors import NotFound
from contactpoint.takedown import asn, compliance, directory, directory_csv, recheck
from contactpoint.takedown.directory_models import Provider

app = typer.Typer(
    help="The provider directory (networks, domains, abuse contacts), re-checks, compliance.",
    no_args_is_help=True,
)
console = Console()


def _find(session: Session, ref: str) -> Provider:
    try:
        return directory.get_provider(session, SYSTEM, uuid.UUID(ref))
    except ValueError:
        p = directory.find_by_name(session, ref)
    if p is None:
        raise NotFound(f"no provider named {ref!r}")
    return p


@app.command("add")
def add_cmd(
    name: str = typer.Argument(..., help="The provider's name (unique)."),
    country: str = typer.Option(..., "--country", help="State of establishment (two letters)."),
    kind: str = typer.Option("hosting", "--kind", help="hosting, platform, access, registrar, cdn"),
    org: str = typer.Option("", "--org", help="Organisation that answers its notices."),
    abuse_email: str = typer.Option("", "--abuse-email"),
    abuse_url: str = typer.Option("", "--abuse-url"),
    tco_contact: str = typer.Option("", "--tco-contact", help="TCO Art. 15 point of contact."),
) -> None:
    """Add a provider."""
    with cli_session() as session:
        p = directory.create_provider(
            session,
            SYSTEM,
            {
                "name": name,
                "country": country,
                "kind": kind,
                "org": org,
                "abuse_email": abuse_email,
                "abuse_url": abuse_url,
                "tco_contact": tco_contact,
            },
        )
        console.print(f"added provider {p.name} ({p.id})")


@app.command("list")
def list_cmd(
    q: str = typer.Option("", "--search", "-q", help="Part of a name, domain or abuse e-mail."),
    country: str = typer.Option("", "--country"),
    kind: str = typer.Option("", "--kind"),
    limit: int = typer.Option(100, "--limit"),
) -> None:
    """List providers by name."""
    with cli_session() as session:
        rows = directory.list_providers(
            session,
            SYSTEM,
            q=q or None,
            country=country or None,
            kind=kind or None,
            limit=limit,
        )
        table = Table()
        for col in ("name", "kind", "country", "abuse", "active"):
            table.add_column(col)
        for p in rows:
            table.add_row(
                p.name,
                p.kind.value,
                p.country,
                p.abuse_email or p.abuse_url or "",
                "yes" if p.active else "no",
            )
    console.print(table)


@app.command("show")
def show_cmd(ref: str = typer.Argument(..., help="Name or id.")) -> None:
    """A provider with its networks and domains."""
    with cli_session() as session:
        p = _find(session, ref)
        console.print(f"[bold]{p.name}[/bold] ({p.id}) {p.kind.value} {p.country}")
        for label, value in (
            ("abuse e-mail", p.abuse_email),
            ("abuse URL", p.abuse_url),
            ("TCO contact", p.tco_contact),
            ("active", "yes" if p.active else "no"),
        ):
            console.print(f"  {label}: {value or '—'}")
        for n in directory.networks_of(session, p.id):
            console.print(f"  network {n.cidr}" + (f" AS{n.asn}" if n.asn else ""))
        for d in directory.domains_of(session, p.id):
            console.print(f"  domain {d.domain}")


@app.command("add-network")
def add_network_cmd(
    ref: str = typer.Argument(..., help="Provider name or id."),
    cidr: str = typer.Argument(..., help="e.g. 192.0.2.0/24 or 2001:db8::/32"),
    asn_: str = typer.Option("", "--asn", help="AS number (64500 or AS64500)."),
) -> None:
    """Register a network (CIDR) of a provider."""
    with cli_session() as session:
        p = _find(session, ref)
        n = directory.add_network(session, SYSTEM, p.id, cidr, asn_ or None)
        console.print(f"added {n.cidr} to {p.name}")


@app.command("add-domain")
def add_domain_cmd(
    ref: str = typer.Argument(..., help="Provider name or id."),
    domain: str = typer.Argument(..., help="The domain and everything under it."),
) -> None:
    """Register a domain a provider hosts or operates."""
    with cli_session() as session:
        p = _find(session, ref)
        d = directory.add_domain(session, SYSTEM, p.id, domain)
        console.print(f"added {d.domain} to {p.name}")


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Import the directory from CSV (docs/formats/providers-csv.md). Bad rows are reported
    by line and field, the good ones kept; a second run adds nothing."""
    text = file.read_text(encoding="utf-8-sig")
    with cli_session() as session:
        r = directory_csv.import_csv(session, SYSTEM, text)
    for e in r.errors:
        console.print(f"[red]line {e['line']}[/red] {e['field']}: {e['message']}", highlight=False)
    console.print(
        f"providers: {r.providers_created} created, {r.providers_updated} updated; "
        f"networks: {r.networks_added} added, {r.networks_moved} moved; "
        f"domains: {r.domains_added} added, {r.domains_moved} moved; "
        f"{r.unchanged_rows} rows unchanged; "
        f"{len([e for e in r.errors if e['line'] > 1])} rows rejected"
    )


@app.command("export")
def export_cmd(
    out: Path = typer.Option(Path("-"), "--out", "-o", help="File to write ('-': stdout)."),
) -> None:
    """Write the directory as CSV in the import format."""
    with cli_session() as session:
        text = directory_csv.export_csv(session)
    if str(out) == "-":
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@app.command("import-asn")
def import_asn_cmd(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="ip2asn-*.tsv or .tsv.gz"
    ),
    only_country: list[str] = typer.Option(
        [], "--only-country", help="Keep ranges of this country only (repeatable)."
    ),
    batch_size: int = typer.Option(5000, "--batch-size", min=100),
) -> None:
    """Load the iptoasn.com IP-to-ASN TSV (docs/formats/ip2asn.md): one provider per AS,
    its ranges as CIDRs. Commits every batch; rerun to resume (nothing is duplicated)."""
    with cli_session() as session, Progress(console=console, transient=True) as progress:
        task = progress.add_task("ranges", total=None)

        def committed(r: asn.AsnImportResult) -> None:
            session.commit()  # the CLI is the edge: each batch is kept
            progress.update(task, completed=r.lines, description=f"{r.networks_added} added")

        with asn.open_text(file) as fh:
            r = asn.import_asn(
                session,
                SYSTEM,
                fh,
                only_countries=only_country,
                batch_size=batch_size,
                on_batch=committed,
            )
    for e in r.errors:
        console.print(f"[red]line {e['line']}[/red] {e['field']}: {e['message']}", highlight=False)
    if r.error_count > len(r.errors):
        console.print(f"... and {r.error_count - len(r.errors)} more bad lines")
    console.print(
        f"{r.lines} lines, {r.skipped} skipped, {r.ases} ASes; "
        f"{r.providers_created} providers created; networks: {r.networks_added} added, "
        f"{r.networks_moved} moved, {r.networks_unchanged} unchanged; "
        f"{r.error_count} bad lines"
    )


@app.command("resolve")
def resolve_cmd(url: str = typer.Argument(..., help="The URL whose host to look up.")) -> None:
    """Which provider hosts a URL (domain suffix first, then the IP's longest prefix)."""
    with cli_session() as session:
        r = directory.resolve_url(session, url)
        if r is None:
            raise fail("no provider in the directory hosts this URL", 1)
        console.print(
            f"{r.provider.name} ({r.provider.kind.value}, {r.provider.country}) "
            f"by {r.matched_by} {r.matched}" + (f" [{r.ip}]" if r.ip else ""),
            highlight=False,
        )
        if r.provider.abuse_email or r.provider.abuse_url:
            console.print(f"abuse: {r.provider.abuse_email or r.provider.abuse_url}")


@app.command("recheck")
def recheck_cmd(
    limit: int = typer.Option(200, "--limit", help="At most this many notices."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Also fetch private addresses (closed exercises only)."
    ),
) -> None:
    """Re-check now that content reported removed is gone (the hourly job does the same)."""
    with cli_session() as session:
        s = recheck.run_rechecks(
            session, recheck.HttpChecker(allow_private=allow_private), utcnow(), limit=limit
        )
    console.print(
        f"{s.notices} notices, {s.urls} URLs: {s.present} present, {s.gone} gone, "
        f"{s.errors} errors; verified gone: {', '.join(s.verified_gone) or '—'}; "
        f"reappeared: {', '.join(s.reappeared) or '—'}"
    )


def _day(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise fail(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


@app.command("compliance")
def compliance_cmd(
    since: str = typer.Option("", "--since", help="Notices sent from this date (YYYY-MM-DD)."),
    until: str = typer.Option("", "--until", help="Notices sent before this date."),
    sort: str = typer.Option("provider", "--sort", help=", ".join(compliance.SORT_KEYS)),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """Compliance per provider: median time to removal, shares within 1 h/3 d/7 d, overdue."""
    with cli_session() as session:
        rows = compliance.figures(
            session,
            SYSTEM,
            now=utcnow(),
            since=_day(since, "since"),
            until=_day(until, "until"),
            sort=sort,
            descending=sort != "provider",
        )
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    table = Table(title="Compliance per provider")
    for col in ("provider", "notices", "median h", "≤1h", "≤3d", "≤7d", "refused", "overdue"):
        table.add_column(col)

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.0%}"

    for r in rows:
        table.add_row(
            r.provider,
            str(r.notices),
            "—" if r.median_hours is None else f"{r.median_hours:.1f}",
            pct(r.within_1h),
            pct(r.within_3d),
            pct(r.within_7d),
            str(r.refused),
            str(r.overdue),
        )
    console.print(table)
