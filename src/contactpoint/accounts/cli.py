"""`contactpoint org|user|token|mfa ...`: manage accounts from the shell (acts as SYSTEM)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from contactpoint.accounts import service, tokens
from contactpoint.accounts.models import OrgKind, Role
from contactpoint.accounts.permissions import ALL_PERMISSIONS
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session, fail

org_app = typer.Typer(
    help="Organisations (police units, hotlines, ISPs, banks, ...).", no_args_is_help=True
)
user_app = typer.Typer(help="User accounts and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
mfa_app = typer.Typer(help="Which roles must sign in with a TOTP code.", no_args_is_help=True)
console = Console()

KINDS = ", ".join(k.value for k in OrgKind)
ROLES = ", ".join(r.value for r in Role)


@org_app.command("add")
def org_add(
    name: str = typer.Argument(..., help="Unique name, e.g. 'Police nationale — OFAC'."),
    kind: str = typer.Option(..., help=f"One of: {KINDS}."),
    country: str = typer.Option(..., help="ISO 3166-1 alpha-2 (upper case), or EU."),
) -> None:
    """Add an organisation."""
    with cli_session() as session:
        org = service.create_organisation(session, SYSTEM, name, kind, country)
        console.print(f"added organisation {org.name} ({org.kind.value}, {org.country}) {org.id}")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    with cli_session() as session:
        table = Table("name", "kind", "country", "active", "id")
        for org in service.list_organisations(session):
            table.add_row(
                org.name, org.kind.value, org.country, "yes" if org.active else "no", str(org.id)
            )
        console.print(table)


@org_app.command("deactivate")
def org_deactivate(name: str = typer.Argument(..., help="Name or id.")) -> None:
    """Deactivate an organisation: its users cannot sign in, its tokens stop working."""
    with cli_session() as session:
        org = service.get_organisation(session, name)
        service.deactivate_organisation(session, SYSTEM, org)
        console.print(f"deactivated {org.name}")


@user_app.command("add")
def user_add(
    email: str = typer.Argument(...),
    org: str = typer.Option(..., help="Organisation name or id."),
    role: list[str] = typer.Option(..., help=f"Repeat for several. One of: {ROLES}."),
    password: str | None = typer.Option(
        None, help="At least 12 characters. Prompted (hidden) when omitted."
    ),
    name: str | None = typer.Option(None, help="Display name (default: the email's user part)."),
) -> None:
    """Add a user to an organisation with one or more roles."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with cli_session() as session:
        organisation = service.get_organisation(session, org)
        user = service.create_user(session, SYSTEM, email, organisation, role, password, name)
        console.print(
            f"added user {user.email} to {organisation.name} with roles {', '.join(user.roles)}"
        )


@user_app.command("list")
def user_list(org: str | None = typer.Option(None, help="Only this organisation.")) -> None:
    """List users."""
    with cli_session() as session:
        organisation = service.get_organisation(session, org) if org else None
        table = Table("email", "organisation", "roles", "TOTP", "active")
        for user in service.list_users(session, organisation):
            table.add_row(
                user.email,
                user.organisation.name,
                ", ".join(user.roles),
                "yes" if user.totp_confirmed else "no",
                "yes" if user.active else "no",
            )
        console.print(table)


@user_app.command("reset-password")
def user_reset_password(
    email: str = typer.Argument(...),
    password: str | None = typer.Option(
        None, help="New password; prompted when omitted. Use --generate for a random one."
    ),
    generate: bool = typer.Option(False, help="Generate and print a random password."),
) -> None:
    """Set a new password, unlock the account and end its sessions."""
    if password is None and not generate:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with cli_session() as session:
        user = service.get_user(session, email)
        new = service.reset_password(session, SYSTEM, user, password)
        console.print(f"password of {user.email} reset")
        if generate:
            console.print(f"new password (shown once): {new}")


@user_app.command("reset-totp")
def user_reset_totp(email: str = typer.Argument(...)) -> None:
    """Remove a user's TOTP device (lost phone); they enrol again at the next sign-in."""
    with cli_session() as session:
        user = service.get_user(session, email)
        service.disable_totp(session, SYSTEM, user)
        console.print(f"TOTP removed for {user.email}")


@token_app.command("create")
def token_create(
    org: str = typer.Option(..., help="Organisation name or id."),
    user: str = typer.Option(..., help="Email of the user the token acts for."),
    name: str = typer.Option(..., help="What the token is for, e.g. 'blocklist sync'."),
    permission: list[str] = typer.Option(
        ...,
        help="Repeat for several; a subset of the user's roles' permissions: "
        + ", ".join(ALL_PERMISSIONS),
    ),
    expires_days: int | None = typer.Option(None, help="Expire after N days (default never)."),
) -> None:
    """Create a bearer token and print it once."""
    with cli_session() as session:
        organisation = service.get_organisation(session, org)
        owner = service.get_user(session, user)
        token, text = tokens.create_token(
            session,
            SYSTEM,
            org=organisation,
            user=owner,
            name=name,
            permissions=permission,
            expires_days=expires_days,
        )
        console.print(
            f"token {token.prefix} created for {owner.email} ({organisation.name}); "
            "copy it now, it is not shown again:"
        )
        print(text)  # plain print: no wrapping or colour inside the secret


@token_app.command("list")
def token_list() -> None:
    """List tokens (prefix, owner, permissions, state); never their secrets."""
    with cli_session() as session:
        table = Table("prefix", "name", "user", "permissions", "state", "id")
        for token in tokens.list_tokens(session, SYSTEM):
            owner = service.get_user(session, token.user_id) if token.user_id else None
            table.add_row(
                token.prefix,
                token.name,
                owner.email if owner else "-",
                ", ".join(token.permissions),
                tokens.token_state(token),
                str(token.id),
            )
        console.print(table)


@token_app.command("revoke")
def token_revoke(ref: str = typer.Argument(..., help="Token id or prefix.")) -> None:
    """Revoke a token at once."""
    with cli_session() as session:
        token = tokens.find_token(session, ref)
        tokens.revoke_token(session, SYSTEM, token)
        console.print(f"token {token.prefix} revoked")


@mfa_app.command("require")
def mfa_require(role: str = typer.Argument(..., help=f"One of: {ROLES}.")) -> None:
    """Require a TOTP code at sign-in for every user with this role."""
    _set_mfa(role, True)


@mfa_app.command("relax")
def mfa_relax(role: str = typer.Argument(..., help=f"One of: {ROLES}.")) -> None:
    """Stop requiring TOTP for this role (users who enrolled still use it)."""
    _set_mfa(role, False)


@mfa_app.command("list")
def mfa_list() -> None:
    """Show the roles that require TOTP."""
    with cli_session() as session:
        required = service.mfa_required_roles(session)
    for role in Role:
        console.print(f"{role.value}: {'required' if role.value in required else 'optional'}")


def _set_mfa(role: str, required: bool) -> None:
    if role not in {r.value for r in Role}:
        raise fail(f"role '{role}' is not one of: {ROLES}")
    with cli_session() as session:
        service.set_mfa_required(session, SYSTEM, role, required)
    console.print(f"TOTP {'required' if required else 'optional'} for role {role}")
