"""`contactpoint takedown ...`: send, list, show, acknowledge and answer notices, withdraw
them, and check an authenticated timestamp.

Commands that act do so as a user of the platform (``--as EMAIL``), with that user's
organisation and permissions, exactly as the API would; ``list`` and ``show`` without
``--as`` read as the system (every notice), for operators on the server.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_by_email
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.clitools import cli_session, fail
from contactpoint.core.errors import NotFound
from contactpoint.takedown import notice_escalation, service, timestamps
from contactpoint.takedown.models import Notice
from contactpoint.takedown.schemas import NoticeIn

app = typer.Typer(help="Notices and removal orders to providers.", no_args_is_help=True)
console = Console()
AS_HELP = "Act as this user (e-mail): their organisation and permissions apply."


def _actor(session: Session, email: str | None) -> Actor:
    try:
        return actor_by_email(session, email, SYSTEM)
    except NotFound as exc:
        raise fail(exc.detail) from None


def _row(session: Session, n: Notice) -> list[str]:
    c = service.clock(session, n)
    return [
        n.reference,
        n.kind.value,
        service.provider_names(session).get(n.provider_id, "?"),
        n.status.value,
        c.text,
        n.urls[0].url if n.urls else "",
    ]


@app.command("send")
def send_cmd(
    kind: str = typer.Argument(
        ..., help="dsa-art16, tco-removal-order, voluntary-referral, hotline-ntd"
    ),
    urls: list[str] = typer.Argument(..., help="The exact URL(s)."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    category: str = typer.Option(
        ..., "--category", help="Crime kind, e.g. terrorist-content, csam."
    ),
    field: list[str] = typer.Option(
        [], "--field", "-f", help="A field of the kind as NAME=VALUE (repeat; see `kinds`)."
    ),
    provider: str | None = typer.Option(
        None, "--provider", help="Provider id (default: found from the URLs)."
    ),
    notifier_name: str | None = typer.Option(None, "--notifier-name"),
    notifier_email: str | None = typer.Option(None, "--notifier-email"),
    external_id: str | None = typer.Option(
        None, "--external-id", help="Your id: a rerun sends nothing twice."
    ),
) -> None:
    """Send a notice; prints its reference. A missing field is named with its article."""
    fields: dict[str, str] = {}
    for item in field:
        name, sep, value = item.partition("=")
        if not sep:
            raise fail(f"--field {item!r}: write NAME=VALUE")
        fields[name.strip()] = value
    body: dict[str, Any] = {
        "kind": kind,
        "urls": urls,
        "category": category,
        "fields": fields,
        "provider_id": provider,
        "notifier_name": notifier_name,
        "notifier_email": notifier_email,
        "external_id": external_id,
    }
    try:
        data = NoticeIn.model_validate(body)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise fail(msgs) from None
    with cli_session() as session:
        notice, created = service.send(session, _actor(session, as_user), data)
        ref, due = notice.reference, service.clock(session, notice).text
    console.print(f"{ref} {'sent' if created else 'already sent (same --external-id)'}; {due}")


@app.command("list")
def list_cmd(
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    status: str | None = typer.Option(
        None, help="sent, received, removed, disabled, refused, withdrawn"
    ),
    kind: str | None = typer.Option(None),
    overdue: bool = typer.Option(False, "--overdue", help="Only open notices past their due time."),
    limit: int = typer.Option(100, min=1, max=500),
) -> None:
    """List notices, newest first, with their clocks."""
    with cli_session() as session:
        actor = _actor(session, as_user)
        rows, _ = service.page(
            session, actor, status=status, kind=kind, overdue=overdue, limit=limit
        )
        table = Table(title="Notices")
        for col in ("reference", "kind", "provider", "status", "clock", "first URL"):
            # the reference is what one copies into the next command: never cut it
            table.add_column(
                col, no_wrap=col == "reference", min_width=18 if col == "reference" else None
            )
        for n in rows:
            table.add_row(*_row(session, n))
    console.print(table)


@app.command("show")
def show_cmd(
    ref: str = typer.Argument(..., help="Reference (TD-FR-2026-000123) or id."),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(
        False, "--json", help="Print the notice and its timestamps as JSON."
    ),
) -> None:
    """One notice: its content, clock and timeline with the signature checks."""
    with cli_session() as session:
        n = service.find(session, _actor(session, as_user), ref)
        c = service.clock(session, n)
        stamps = {t.event.id: t for t in service.timestamps_of(session, n)}
        if as_json:
            out = {
                "reference": n.reference,
                "kind": n.kind.value,
                "status": n.status.value,
                "clock": c.text,
                "urls": [u.url for u in n.urls],
                "fields": n.fields,
                "timestamps": [_stamp_json(n, t) for t in stamps.values()],
                "public_key_pem": service.public_key_pem(session).decode(),
            }
            print(json.dumps(out, indent=2, default=str))
            return
        console.print(f"[bold]{n.reference}[/bold] {n.kind.value} — {n.status.value}; {c.text}")
        console.print(
            f"provider: {service.provider_names(session).get(n.provider_id)} ({n.provider_match})"
        )
        for u in n.urls:
            console.print(f"  {u.url}  {u.check_result or ''}", highlight=False)
        for k, v in (n.fields or {}).items():
            console.print(f"  {k}: {v}", highlight=False)
        for e in n.events:
            sig = ""
            if e.id in stamps:
                sig = (
                    " [green]signature valid[/green]"
                    if stamps[e.id].valid
                    else " [red]signature INVALID[/red]"
                )
            console.print(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.kind} by {e.actor_label}{sig}")


def _stamp_json(n: Notice, t: service.Timestamp) -> dict[str, Any]:
    return {
        "event": t.event.kind,
        "reference": n.reference,
        "at": timestamps.iso(t.event.at),
        "content_sha256": t.content_sha256,
        "payload": t.payload.decode(),
        "signature": t.event.signature,
        "valid": t.valid,
    }


def _id(session: Session, actor: Actor, ref: str) -> uuid.UUID:
    return service.find(session, actor, ref).id


@app.command("ack")
def ack_cmd(
    ref: str = typer.Argument(..., help="Reference or id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Acknowledge receipt as the provider's operator (signed; starts a TCO order's hour)."""
    with cli_session() as session:
        actor = _actor(session, as_user)
        n = service.acknowledge(session, actor, _id(session, actor, ref))
        text = service.clock(session, n).text
    console.print(f"{ref}: receipt acknowledged; {text}")


@app.command("act")
def act_cmd(
    ref: str = typer.Argument(..., help="Reference or id."),
    action: str = typer.Argument(..., help="removed, disabled or refused"),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    reason: str | None = typer.Option(None, help="Required for refused."),
    at: datetime | None = typer.Option(None, help="When it was done (ISO 8601, UTC); default now."),
) -> None:
    """Record the provider's action (once: a second one is refused)."""
    when = (at if at.tzinfo else at.replace(tzinfo=UTC)) if at else None
    with cli_session() as session:
        actor = _actor(session, as_user)
        n = service.act(session, actor, _id(session, actor, ref), action, reason, when)
        status = n.status.value
    console.print(f"{ref}: {status}")


@app.command("withdraw")
def withdraw_cmd(
    ref: str = typer.Argument(..., help="Reference or id."),
    reason: str = typer.Option(..., help="Why the notice is withdrawn."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Withdraw a notice your organisation sent (before the provider answered)."""
    with cli_session() as session:
        actor = _actor(session, as_user)
        service.withdraw(session, actor, _id(session, actor, ref), reason)
    console.print(f"{ref}: withdrawn")


@app.command("verify-timestamp")
def verify_timestamp_cmd(
    what: str = typer.Argument(
        ...,
        help="A notice reference/id (checks its timestamps in the database), or a JSON file "
        "holding one timestamp as the API or `show --json` gives it.",
    ),
    key: Path | None = typer.Option(
        None,
        "--key",
        exists=True,
        dir_okay=False,
        help="Public key PEM (files only; default: this node's).",
    ),
) -> None:
    """Check an authenticated timestamp of sending or receipt. Exit 0 if valid, 1 if not."""
    path = Path(what)
    if path.is_file():
        try:
            stamp = json.loads(path.read_text(encoding="utf-8"))
            data = timestamps.payload(
                stamp["reference"], stamp["event"], stamp["at"], stamp["content_sha256"]
            )
            signature = str(stamp["signature"])
        except (ValueError, KeyError, TypeError) as exc:
            raise fail(f"{path}: not a timestamp ({exc})") from None
        if key is not None:
            pem = key.read_bytes()
        else:
            with cli_session() as session:
                pem = service.public_key_pem(session)
        ok = timestamps.check(pem, data, signature)
        console.print(
            f"{stamp['reference']} {stamp['event']} at {stamp['at']}: "
            + ("[green]signature valid[/green]" if ok else "[red]signature INVALID[/red]"),
            soft_wrap=True,
        )
        if not ok:
            raise typer.Exit(1)
        return
    with cli_session() as session:
        n = service.find(session, SYSTEM, what)
        stamps = service.timestamps_of(session, n)
        lines = [(t.event.kind, timestamps.iso(t.event.at), t.valid) for t in stamps]
    if not lines:
        raise fail(f"{what} has no signed timestamps")
    for kind, at, ok in lines:
        console.print(
            f"{what} {kind} at {at}: "
            + ("[green]signature valid[/green]" if ok else "[red]signature INVALID[/red]"),
            soft_wrap=True,
        )
    if not all(ok for *_, ok in lines):
        raise typer.Exit(1)


@app.command("escalate")
def escalate_cmd() -> None:
    """Run the escalation now (the job `takedown.escalate` does it every 5 minutes)."""
    with cli_session() as session:
        done = notice_escalation.run(session, service.settings_of(session))
    console.print(
        f"{done.provider_reminders} provider reminders, {done.sender_alerts} sender alerts"
    )
