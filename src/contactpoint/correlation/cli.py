"""`contactpoint campaigns ...`: list and show campaigns, merge or split them, exclude,
include or lift an indicator, recompute everything, send the notices to contact points.

Commands read and act as a user of the platform (``--as EMAIL``: their organisation,
permissions and visibility, exactly as the API); without ``--as`` they run as the system,
for operators on the server. That is also the procedure for lifting an indicator no single
analyst may lift, because reports of several organisations hold it: the operator lifts it
with a reason, and the audit log records it as the system's act.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_by_email
from contactpoint.core import crypto
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.clitools import cli_session, fail
from contactpoint.core.config import get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction
from contactpoint.correlation import actions, follows, notices, service

app = typer.Typer(help="Campaigns: reports linked by shared indicators.", no_args_is_help=True)
console = Console()
AS_HELP = "Act as this user (e-mail): their organisation, permissions and visibility apply."
REASON_HELP = "Why (kept in the audit log)."


def _actor(session: Session, email: str | None) -> Actor:
    return actor_by_email(session, email, SYSTEM)


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(f"{what} {value!r} is not an id (a UUID, as the campaign page shows)") from None


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


@app.command("list")
def list_cmd(
    country: str | None = typer.Option(None, help="Campaigns with reports from this country."),
    category: str | None = typer.Option(None, help="Campaigns with reports of this category."),
    min_size: int = typer.Option(2, "--min-size", help="At least this many reports."),
    sort: str = typer.Option("last_seen", help="last_seen, size or growth."),
    limit: int = typer.Option(50, min=1, max=500),
    followed: bool = typer.Option(
        False, "--followed", help="Only the campaigns the --as user follows."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Campaigns, newest activity first, counted over the reports you may see."""
    if followed and not as_user:
        raise fail("--followed needs --as: whose follows?")
    with cli_session() as session:
        items, _ = service.list_campaigns(
            session,
            _actor(session, as_user),
            country=country.upper() if country else None,
            category=category,
            min_size=min_size,
            sort=sort,
            limit=limit,
            followed=followed,
        )
    if as_json:
        _echo_json(items)
        return
    table = Table("id", "reports", "countries", "categories", "last seen", "losses")
    for c in items:
        losses = ", ".join(f"{v} {k}" for k, v in c["losses"].items())
        table.add_row(
            c["id"],
            str(c["reports"]),
            " ".join(c["countries"]),
            " ".join(c["categories"]),
            str(c["last_seen"])[:16],
            losses,
        )
    console.print(table)


@app.command("show")
def show_cmd(
    campaign_id: str = typer.Argument(..., help="The campaign's id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """One campaign: totals, member reports and the indicators they share."""
    cid = _uuid(campaign_id, "campaign")
    with cli_session() as session:
        c = service.get_campaign(session, _actor(session, as_user), cid)
    if as_json:
        _echo_json(c)
        return
    console.print(
        f"campaign {c['id']}: {c['reports']} reports, countries {' '.join(c['countries'])}, "
        f"{str(c['first_seen'])[:16]} to {str(c['last_seen'])[:16]}",
        highlight=False,
    )
    members = Table("reference", "country", "category", "received", "loss")
    for m in c["members"]:
        loss = f"{m['loss_amount']} {m['loss_currency']}" if m["loss_amount"] else ""
        members.add_row(
            m["reference"], m["country"], m["category"], str(m["created_at"])[:16], loss
        )
    console.print(members)
    shared = Table("indicator id", "type", "value", "reports", "state")
    for i in c["indicators"]:
        shared.add_row(i["id"], i["type"], str(i["value"]), str(i["reports"]), i["state"])
    console.print(shared)


IndicatorAction = Callable[[Session, Actor, uuid.UUID, str], None]
ACTIONS: dict[str, tuple[IndicatorAction, str, str]] = {
    "exclude": (
        actions.exclude_indicator,
        "Stop an indicator from linking reports; campaigns it joined are split.",
        "excluded from linking",
    ),
    "include": (
        actions.include_indicator,
        "Undo an exclusion: the indicator links again (within the cap).",
        "links again",
    ),
    "lift": (
        actions.lift_over_correlation,
        "Let an over-correlating indicator link again, whatever the number of reports "
        "holding it. A user may lift it only when they may see every one of those reports; "
        "without --as the operator lifts it as the system.",
        "lifted: it links again",
    ),
}


def _indicator_command(name: str, act: IndicatorAction, help_: str, done: str) -> None:
    def command(
        indicator_id: str = typer.Argument(..., help="The indicator's id (`campaigns show`)."),
        reason: str = typer.Option(..., "--reason", help=REASON_HELP),
        as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    ) -> None:
        iid = _uuid(indicator_id, "indicator")
        with cli_session() as session:
            act(session, _actor(session, as_user), iid, reason)
        typer.echo(f"indicator {iid} {done}")

    app.command(name, help=help_)(command)


for _name, (_act, _help, _done) in ACTIONS.items():
    _indicator_command(_name, _act, _help, _done)


@app.command("merge")
def merge_cmd(
    campaign_id: str = typer.Argument(..., help="The campaign's id."),
    other_id: str = typer.Argument(..., help="The other campaign's id."),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Join two campaigns by a manual link (a shared indicator the text did not show: one
    suspect behind two handles, say). Prints the joined campaign's id."""
    cid, other = _uuid(campaign_id, "campaign"), _uuid(other_id, "campaign")
    with cli_session() as session:
        joined = actions.merge(session, _actor(session, as_user), cid, other, reason)
    typer.echo(f"merged into campaign {joined}")


@app.command("split")
def split_cmd(
    campaign_id: str = typer.Argument(..., help="The campaign's id."),
    indicator: list[str] = typer.Option(
        ...,
        "--indicator",
        help="An indicator that wrongly joins the campaign's parts (repeat for several; "
        "`campaigns show` lists them). Each is excluded from linking.",
    ),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Split a campaign by excluding the indicators that joined its parts."""
    cid = _uuid(campaign_id, "campaign")
    iids = [_uuid(i, "indicator") for i in indicator]
    with cli_session() as session:
        actions.split(session, _actor(session, as_user), cid, iids, reason)
    typer.echo(f"campaign {cid} split: {len(iids)} indicator(s) excluded from linking")


@app.command("follow")
def follow_cmd(
    campaign_id: str = typer.Argument(..., help="The campaign's id."),
    as_user: str = typer.Option(..., "--as", help="The user who follows it (e-mail)."),
) -> None:
    """Follow a campaign: the user is told (in-app, and by e-mail when SMTP is set) when it
    grows, whichever countries it spans. The follow survives merges and splits."""
    cid = _uuid(campaign_id, "campaign")
    with cli_session() as session:
        new = follows.follow(session, _actor(session, as_user), cid)
    typer.echo(f"{as_user} {'now follows' if new else 'already follows'} campaign {cid}")


@app.command("unfollow")
def unfollow_cmd(
    campaign_id: str = typer.Argument(..., help="The campaign's id."),
    as_user: str = typer.Option(..., "--as", help="The user who follows it (e-mail)."),
) -> None:
    """Stop following a campaign."""
    cid = _uuid(campaign_id, "campaign")
    with cli_session() as session:
        gone = follows.unfollow(session, _actor(session, as_user), cid)
    typer.echo(f"{as_user} {'no longer follows' if gone else 'did not follow'} campaign {cid}")


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
    in a country since their last notice, and followers about campaigns they follow that
    grew (the `correlation.notify` job also runs every 15 minutes). Running it again
    notifies nobody twice."""
    settings = get_settings()
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as s:
            s.info["settings"] = settings
            done = notices.run(s, settings)
            followers = follows.run(s, settings, told=done.told)
    finally:
        engine.dispose()
    typer.echo(
        f"{done.campaigns} campaigns notified, {done.notifications} notifications "
        f"({done.digests} digests); {followers.notifications} to followers"
    )
