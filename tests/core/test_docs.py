"""Every setting and every command is documented (as datasette checks its own docs)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from contactpoint.cli import app
from contactpoint.core.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Every command and group path under the `contactpoint` Typer app, e.g. 'audit verify'."""
    found = []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if getattr(sub, "hidden", False):
            continue
        found.append(" ".join((*path, name)))
        found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_setting_is_documented(field: str) -> None:
    env = f"CONTACTPOINT_{field.upper()}"
    text = (DOCS / "settings.md").read_text()
    assert re.search(rf"`{env}`", text), f"document {env} in docs/settings.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_documented(command: str) -> None:
    text = (DOCS / "cli.md").read_text()
    pattern = rf"contactpoint {re.escape(command)}(?![\w-])"
    assert re.search(pattern, text), f"document `contactpoint {command}` in docs/cli.md"


def test_the_walk_finds_nested_commands() -> None:
    assert {"init", "worker", "audit", "audit verify", "keys rotate"} <= set(COMMANDS)


def test_settings_doc_names_no_setting_that_does_not_exist() -> None:
    text = (DOCS / "settings.md").read_text()
    named = set(re.findall(r"`CONTACTPOINT_([A-Z0-9_]+)`", text))
    stale = sorted(n for n in named if n.lower() not in Settings.model_fields)
    assert not stale, f"docs/settings.md names settings that do not exist: {stale}"


def test_every_api_route_is_in_the_api_doc() -> None:
    from contactpoint.web.apiindex import api_routes

    text = (DOCS / "api.md").read_text()
    missing = [f"{m} {p}" for _, m, p, _ in api_routes() if f"`{m} {p}`" not in text]
    assert not missing, (
        f"docs/api.md lacks {missing}; regenerate its table: python -m contactpoint.web.apiindex"
    )
