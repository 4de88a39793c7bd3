"""What the rule files that areas ship as data have in common (cooperation's request types,
takedown's notice kinds): a top-level list of entries with unique codes, clock durations in
hours or days, and no stray keys. Each area keeps its own schema and dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class RulesError(ValueError):
    """A rule file that does not say what it must; the message names the entry and key."""


def no_stray_keys(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    # A comma in an unquoted flow-style value silently becomes a key; refuse that.
    stray = sorted(str(k) for k in raw if k not in allowed)
    if stray:
        raise RulesError(f"{where}: unknown keys {stray} (quote values that contain commas)")


def duration(raw: dict[str, Any], where: str) -> timedelta:
    """A clock's length from its ``hours`` or ``days``."""
    if "hours" in raw:
        return timedelta(hours=float(raw["hours"]))
    if "days" in raw:
        return timedelta(days=float(raw["days"]))
    raise RulesError(f"{where}: a clock needs `hours` or `days`")


def entries(
    text: str, key: str, what: str, build: Callable[[dict[str, Any]], T], code: Callable[[T], str]
) -> tuple[str, dict[str, T]]:
    """The file's ``as_of`` and its ``key:`` list built into entries by code."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise RulesError(f"the rules file needs a top-level `{key}:` list")
    built = [build(raw) for raw in data[key]]
    by_code = {code(b): b for b in built}
    if len(by_code) != len(built):
        raise RulesError(f"two {what} share a code")
    return str(data.get("as_of", "")), by_code
