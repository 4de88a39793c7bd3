"""`contactpoint demo`: a database with demo accounts and a few hundred synthetic reports.

The reports come from training/scenario.py (the same generator the benchmarks use) and go
through reports.service.submit like real intake: citizens through the public path, a bank,
a hotline and a CSIRT through their organisations. About a third are then triaged by an
analyst of the owning organisation, with varied markings, so every page has something to show.
"""

from __future__ import annotations

import random
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import Organisation, User
from contactpoint.core import bootstrap
from contactpoint.core.actor import PUBLIC, Actor
from contactpoint.core.clitools import fail
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import make_engine, make_session_factory, transaction, utcnow
from contactpoint.reports import service as reports
from contactpoint.reports import triage
from contactpoint.reports.models import Report, Source, Status
from contactpoint.reports.schemas import ReportIn, TriageIn
from contactpoint.training import scenario
from contactpoint.training.demo_accounts import seed_accounts
from contactpoint.training.demo_campaigns import seed_campaigns
from contactpoint.training.demo_cases import seed_cases
from contactpoint.training.demo_cooperation import seed_cooperation
from contactpoint.training.demo_providers import seed_providers
from contactpoint.training.demo_takedown import seed_takedown

app = typer.Typer()
console = Console()
if not console.is_terminal:
    console = Console(width=170)  # logs and `make demo | tee`: keep the login table unwrapped

BATCH = 50  # reports per transaction: progress survives, and SQLite's lock is released often
TRIAGE_ROLES = {"analyst", "investigator", "contact-point-officer"}
# (crime kinds, organisation, share of those reports it sends, source)
ORG_SENDERS = [
    ({"csam", "terrorist-content", "illegal-content"}, "hotline@", 0.6, Source.API),
    ({"fraud", "phishing"}, "bank@", 0.35, Source.BULK_FILE),
    ({"hacking", "denial-of-service"}, "csirt@", 0.6, Source.API),
]


@dataclass
class Loaded:
    created: int = 0
    triaged: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    sample: tuple[str, str] | None = None  # a citizen reference and its status secret


def reset_database(settings: Settings, engine: Engine, *, yes: bool) -> str:
    """Empty the database: delete the SQLite file, or (with --yes) drop PostgreSQL's schema."""
    if settings.is_sqlite:
        path = Path(make_url(settings.effective_database_url).database or "")
        engine.dispose()
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        shutil.rmtree(settings.var_dir / "attachments", ignore_errors=True)
        return f"deleted {path}"
    if not yes:
        raise fail(
            "refusing to reset a PostgreSQL database without --yes: every table of "
            f"{engine.url.render_as_string(hide_password=True)} would be dropped"
        )
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS procrastinate CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return f"dropped every table of {engine.url.render_as_string(hide_password=True)}"


def _senders(session: Session) -> dict[str, Actor]:
    """The demo users who submit on behalf of their organisation, by email prefix."""
    out: dict[str, Actor] = {}
    for user in session.scalars(select(User)):
        prefix = user.email.split("@")[0] + "@"
        out[prefix] = actor_for_user(user, user.organisation)
    return out


def _triagers(session: Session) -> dict[uuid.UUID, list[Actor]]:
    out: dict[uuid.UUID, list[Actor]] = {}
    for user in session.scalars(select(User).order_by(User.email)):
        if TRIAGE_ROLES & set(user.roles):
            out.setdefault(user.organisation_id, []).append(actor_for_user(user, user.organisation))
    return out


def _pick_sender(rng: random.Random, kind: str, senders: dict[str, Actor]) -> tuple[Actor, Source]:
    for kinds, prefix, share, source in ORG_SENDERS:
        if kind in kinds and prefix in senders and rng.random() < share:
            return senders[prefix], source
    return PUBLIC, Source.CITIZEN


def _triage_step(rng: random.Random, actor: Actor) -> TriageIn:
    """A plausible first decision: triaged, assigned, sometimes new markings, a note."""
    change: dict[str, object] = {"status": "triaged", "assigned_to_id": actor.user_id}
    if rng.random() < 0.4:
        change["tlp"] = rng.choice(["GREEN", "AMBER+STRICT", "CLEAR"])
    if rng.random() < 0.3:
        change["pap"] = rng.choice(["GREEN", "RED"])
    if rng.random() < 0.3:
        code = rng.choice(["H0", "H1", "H2", "H3"])
        change["handling_code"] = code
        if code == "H3":
            change["handling_text"] = "Not to be shared with the victim's bank."
    change["note"] = rng.choice(
        [
            "Linked by IBAN to earlier reports; asked the bank to freeze the account.",
            "Victim called back; screenshots promised.",
            "Matches the current parcel-delivery phishing wave.",
            "Hosting provider identified; notice prepared.",
        ]
    )
    return TriageIn.model_validate(change)


def load_reports(session_factory: sessionmaker[Session], count: int, seed: int) -> Loaded:
    """Submit ``count`` scenario reports in batches; triage about a third."""
    rng = random.Random(seed)
    loaded = Loaded()
    # Dates lie up to 120 days before yesterday, so none is ever in the future.
    items = list(scenario.generate(count, seed, anchor=utcnow() - timedelta(days=1)))
    columns = (
        TextColumn("[bold]loading reports"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("reports", total=len(items))
        for start in range(0, len(items), BATCH):
            with transaction(session_factory) as session:
                senders, triagers = _senders(session), _triagers(session)
                for item in items[start : start + BATCH]:
                    _load_one(session, rng, item.report, senders, triagers, loaded)
                    progress.advance(task)
    return loaded


def _load_one(
    session: Session,
    rng: random.Random,
    data: dict[str, object],
    senders: dict[str, Actor],
    triagers: dict[uuid.UUID, list[Actor]],
    loaded: Loaded,
) -> None:
    actor, source = _pick_sender(rng, str(data["crime_kind"]), senders)
    if source is Source.CITIZEN:
        data = {k: v for k, v in data.items() if k not in ("external_id", "tlp")}
    result = reports.submit(session, actor, ReportIn.model_validate(data), source=source)
    loaded.created += result.created
    loaded.by_source[source.value] = loaded.by_source.get(source.value, 0) + 1
    report = result.report
    if source is Source.CITIZEN and result.status_secret and loaded.sample is None:
        loaded.sample = (report.reference, result.status_secret)
    owners = triagers.get(report.owner_org_id) if report.owner_org_id else None
    if not owners or rng.random() > 0.35:
        return
    analyst = rng.choice(owners)
    triage.triage(session, analyst, report.id, _triage_step(rng, analyst))
    then = rng.choices(list(Status)[1:], [5, 2, 2, 2])[0]  # triaged, in case, referred, closed
    if then is Status.CLOSED:
        reason = "No lead: the suspect's account was already closed."
        triage.triage(session, analyst, report.id, TriageIn(status=then, close_reason=reason))
    elif then is not Status.TRIAGED:
        triage.triage(session, analyst, report.id, TriageIn(status=then))
    loaded.triaged += 1


@app.command()
def demo(
    reset: bool = typer.Option(
        False,
        "--reset",
        help="Delete the database first (SQLite: the file in VAR_DIR; PostgreSQL: needs --yes).",
    ),
    yes: bool = typer.Option(False, "--yes", help="Confirm dropping a PostgreSQL database."),
    count: int = typer.Option(
        300, "--reports", min=0, max=20000, help="How many synthetic reports to load."
    ),
    seed: int = typer.Option(2007, help="Scenario seed: the same seed gives the same reports."),
) -> None:
    """Prepare a demo: migrations, demo logins and synthetic reports; then run `serve`."""
    settings = get_settings()
    if reset:
        console.print(reset_database(settings, make_engine(settings), yes=yes))
    bootstrap.initialise(settings)
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            logins = seed_accounts(session)
            existing = session.scalar(select(func.count()).select_from(Report)) or 0
        if existing and count:
            console.print(
                f"the database already holds {existing} reports; nothing loaded "
                "(use --reset to start again)"
            )
            loaded = None
        else:
            loaded = load_reports(factory, count, seed)
        with transaction(factory) as session:
            seed_cases(session)  # demo cases, evidence and custody (once)
        with transaction(factory) as session:
            seed_cooperation(session)  # requests with running and overdue clocks (once)
        with transaction(factory) as session:
            linked, told = seed_campaigns(session, settings)  # campaigns + notices (once)
        console.print(f"{linked} campaigns; {told} campaign notifications to contact points")
        with transaction(factory) as session:
            seed_providers(session)  # the provider directory for the demo (once)
        with transaction(factory) as session:
            seed_takedown(session)  # notices of every kind and state to the demo provider
        with transaction(factory) as session:
            orgs = session.scalar(select(func.count()).select_from(Organisation))
    finally:
        engine.dispose()
    _summary(settings, logins, loaded, int(orgs or 0))


def _summary(
    settings: Settings,
    logins: list[tuple[str, str, list[str], str, str | None]],
    loaded: Loaded | None,
    orgs: int,
) -> None:
    if loaded is not None:
        sources = ", ".join(f"{n} {s}" for s, n in sorted(loaded.by_source.items()))
        console.print(
            f"[green]{loaded.created} reports loaded[/green] ({sources}); "
            f"{loaded.triaged} triaged; {orgs} organisations"
        )
    table = Table(title="Demo logins (demo data only: these passwords are public)")
    for col in ("email", "password", "roles", "organisation", "TOTP secret"):
        table.add_column(col, no_wrap=col != "organisation")
    for email, password, roles, org, totp in logins:
        table.add_row(email, password, ", ".join(roles), org, totp or "")
    console.print(table)
    console.print(
        "Accounts with a TOTP secret must give a code: add the secret to an "
        'authenticator app, or run  python -c "import pyotp; '
        "print(pyotp.TOTP('SECRET').now())\""
    )
    if loaded is not None and loaded.sample:
        ref, secret = loaded.sample
        console.print(f"A citizen's report to look up at /report/status: {ref} with code {secret}")
    console.print(
        f"Open [bold]{settings.base_url}[/bold] — the public form is at "
        f"{settings.base_url}/report, the analyst queue at {settings.base_url}/reports"
    )
