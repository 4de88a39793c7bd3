"""Loads the request types and their clocks from data (``data/rules.yaml``).

Pure: no database. The deadline arithmetic (``deadlines.py``) and the validation of required
fields read these frozen records, never constants of their own. An operator points
``CONTACTPOINT_COOPERATION_RULES_FILE`` at a corrected copy to change a rule without a
code change; a broken file fails loudly, naming the type and key at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from contactpoint.core import ruledata

SHIPPED = Path(__file__).resolve().parent / "data" / "rules.yaml"
CLOCK_KINDS = ("deadline", "period")
PARTIES = ("receiver", "requester")
TREATIES = ("none", "network", "ets185", "eevidence", "cets224")
ADDRESSEES = ("authority", "provider")


RulesError = ruledata.RulesError  # the message names the type and the key


@dataclass(frozen=True)
class Extension:
    max: int | None  # None: renewable without limit
    days: int
    by: str  # which party may extend


@dataclass(frozen=True)
class ClockRule:
    name: str
    label: str
    kind: str  # deadline | period
    duration: timedelta
    party: str
    citation: str
    emergency_duration: timedelta | None = None
    starts_on: str = "received"
    pausable: bool = False
    met_by: tuple[str, ...] = ("answered", "refused")
    extension: Extension | None = None
    continues_on: str | None = None
    emergency_only: bool = False
    notification_only: bool = False
    check: bool = False

    def applies(self, *, emergency: bool, notification: bool) -> bool:
        if self.emergency_only and not emergency:
            return False
        return not (self.notification_only and not notification)


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str
    article: str
    optional: bool = False


@dataclass(frozen=True)
class RequestType:
    code: str
    title: str
    citation: str
    addressee: str
    treaty: str
    summary: str
    fields: tuple[FieldRule, ...]
    clocks: tuple[ClockRule, ...]
    check: bool = False
    not_in_force: bool = False
    notification_for: tuple[str, ...] = ()
    notification_citation: str | None = None
    notification_check: bool = False

    @property
    def required_fields(self) -> tuple[FieldRule, ...]:
        return tuple(f for f in self.fields if not f.optional)

    @property
    def may_pause(self) -> bool:
        return any(c.pausable for c in self.clocks)

    def clock(self, name: str) -> ClockRule:
        for c in self.clocks:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Rules:
    as_of: str
    types: dict[str, RequestType] = field(default_factory=dict)

    def get(self, code: str) -> RequestType:
        try:
            return self.types[code]
        except KeyError:
            known = ", ".join(self.types)
            raise KeyError(f"unknown request type {code!r} (known: {known})") from None


CLOCK_KEYS = {
    "name", "label", "kind", "hours", "days", "emergency_hours", "starts_on", "party", "pausable",
    "pausable_check", "met_by", "extension", "continues_on", "emergency_only",
    "notification_only", "check", "citation",
}  # fmt: skip
FIELD_KEYS = {"name", "label", "article", "optional"}


def _clock(raw: dict[str, Any], where: str) -> ClockRule:
    ruledata.no_stray_keys(raw, CLOCK_KEYS, where)
    try:
        kind, party = raw["kind"], raw["party"]
        if kind not in CLOCK_KINDS:
            raise RulesError(f"{where}: kind must be one of {CLOCK_KINDS}, not {kind!r}")
        if party not in PARTIES:
            raise RulesError(f"{where}: party must be one of {PARTIES}, not {party!r}")
        ext = raw.get("extension")
        em = raw.get("emergency_hours")
        return ClockRule(
            name=str(raw["name"]),
            label=str(raw["label"]),
            kind=kind,
            duration=ruledata.duration(raw, where),
            party=party,
            citation=str(raw["citation"]),
            emergency_duration=timedelta(hours=float(em)) if em is not None else None,
            starts_on=str(raw.get("starts_on", "received")),
            pausable=bool(raw.get("pausable", False)),
            # A deadline is met by an answer; a period (preservation) is not ended by one.
            met_by=tuple(raw.get("met_by", ("answered", "refused") if kind == "deadline" else ())),
            extension=Extension(ext.get("max"), int(ext["days"]), str(ext.get("by", "requester")))
            if ext
            else None,
            continues_on=raw.get("continues_on"),
            emergency_only=bool(raw.get("emergency_only", False)),
            notification_only=bool(raw.get("notification_only", False)),
            check=bool(raw.get("check", False) or raw.get("pausable_check", False)),
        )
    except KeyError as exc:
        raise RulesError(f"{where}: missing key {exc.args[0]!r}") from None


def _type(raw: dict[str, Any]) -> RequestType:
    code = str(raw.get("code", "?"))
    try:
        if raw["addressee"] not in ADDRESSEES:
            raise RulesError(f"type {code}: addressee must be one of {ADDRESSEES}")
        if raw["treaty"] not in TREATIES:
            raise RulesError(f"type {code}: treaty must be one of {TREATIES}")
        for i, f in enumerate(raw["fields"]):
            ruledata.no_stray_keys(f, FIELD_KEYS, f"type {code}, field {i + 1}")
        fields = tuple(
            FieldRule(str(f["name"]), str(f["label"]), str(f["article"]), bool(f.get("optional")))
            for f in raw["fields"]
        )
        clocks = tuple(
            _clock(c, f"type {code}, clock {i + 1}") for i, c in enumerate(raw["clocks"] or [])
        )
        note = raw.get("notification") or {}
        return RequestType(
            code=code,
            title=str(raw["title"]),
            citation=str(raw["citation"]),
            addressee=raw["addressee"],
            treaty=raw["treaty"],
            summary=str(raw["summary"]).strip(),
            fields=fields,
            clocks=clocks,
            check=bool(raw.get("check", False)),
            not_in_force=bool(raw.get("not_in_force", False)),
            notification_for=tuple(note.get("required_for", ())),
            notification_citation=note.get("citation"),
            notification_check=bool(note.get("check", False)),
        )
    except KeyError as exc:
        raise RulesError(f"type {code}: missing key {exc.args[0]!r}") from None


def parse(text: str) -> Rules:
    as_of, types = ruledata.entries(text, "types", "request types", _type, lambda t: t.code)
    return Rules(as_of=as_of, types=types)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> Rules:
    """The rules from ``path`` (an operator's copy) or the shipped file."""
    return parse((path or SHIPPED).read_text(encoding="utf-8"))
