"""The `contactpoint` command. Each area adds its own sub-commands here."""

from __future__ import annotations

import importlib

import typer
from rich.console import Console

from contactpoint.core.config import get_settings

app = typer.Typer(
    name="contactpoint",
    help="The EU cyber crime contact point platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()

# (module, attribute, sub-command name or None to merge top-level commands)
SUBCOMMANDS = [
    ("contactpoint.core.cli", "app", None),
    ("contactpoint.accounts.cli", "org_app", "org"),
    ("contactpoint.accounts.cli", "user_app", "user"),
    ("contactpoint.accounts.cli", "token_app", "token"),
    ("contactpoint.accounts.cli", "mfa_app", "mfa"),
    ("contactpoint.core.cli", "audit_app", "audit"),
    ("contactpoint.core.cli", "keys_app", "keys"),
    ("contactpoint.indicators.cli", "app", "indicators"),
    ("contactpoint.reports.cli", "app", "reports"),
    ("contactpoint.correlation.cli", "app", "campaigns"),
    ("contactpoint.taxonomy.cli", "app", "taxonomy"),
    ("contactpoint.cases.cli", "app", "cases"),
    ("contactpoint.cooperation.cli", "app", "cooperation"),
    ("contactpoint.takedown.directory_cli", "app", "providers"),
    ("contactpoint.takedown.cli", "app", "takedown"),
    ("contactpoint.blocking.cli", "app", "blocking"),
    ("contactpoint.training.cli", "app", None),
    ("contactpoint.training.bulkgen_cli", "app", "scenario"),
]


def _register() -> None:
    for module_name, attr, name in SUBCOMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        sub = getattr(module, attr, None)
        if sub is None:
            continue
        if name is None:
            for command in sub.registered_commands:
                app.registered_commands.append(command)
            for group in sub.registered_groups:
                app.registered_groups.append(group)
        else:
            app.add_typer(sub, name=name)


_register()


def main() -> None:
    get_settings()  # fail early on bad settings, before any command runs
    app(prog_name="contactpoint")


if __name__ == "__main__":
    main()
