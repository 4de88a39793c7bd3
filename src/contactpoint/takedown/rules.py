"""Loads the kinds of notice and removal order from data (``data/notice_kinds.yaml``).

Pure: no database. The service validates a notice against these frozen records and takes its
clock from them, never from constants of its own. An operator points
``CONTACTPOINT_TAKEDOWN_RULES_FILE`` at a corrected copy to change a rule (for instance the
target of voluntary referrals) without a code change; a broken file fails loudly, naming
the kind and the key at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from contactpoint.core import ruledata

SHIPPED = Path(__file__).resolve().parent / "data" / "notice_kinds.yaml"
STARTS = ("sent", "received")
KIND_KEYS = {
    "code", "title", "citation", "check", "summary", "issuers", "urls_article", "notifier",
    "fields", "clock", "pause", "scrutiny", "timestamps",
}  # fmt: skip
FIELD_KEYS = {"name", "label", "article", "optional", "choices"}
CLOCK_KEYS = {
    "label", "hours", "days", "starts_on", "legal", "milestones_days", "citation", "check",
    "remind_after_minutes",
}  # fmt: skip


RulesError = ruledata.RulesError  # the message names the kind and the key


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str
    article: str
    optional: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClockRule:
    label: str
    duration: timedelta
    starts_on: str  # sent | received
    legal: bool  # a deadline in law, or only a target for the compliance figures
    citation: str
    milestones: tuple[timedelta, ...] = ()
    check: bool = False
    # The escalation job reminds the provider's operators this long into the clock.
    remind_after: timedelta | None = None


@dataclass(frozen=True)
class NotifierRule:
    required: bool
    article: str
    exempt_categories: tuple[str, ...] = ()
    exempt_article: str | None = None

    def required_for(self, category: str) -> bool:
        return self.required and category not in self.exempt_categories


@dataclass(frozen=True)
class PauseRule:
    reasons: tuple[str, ...]
    citation: str


@dataclass(frozen=True)
class KindRule:
    code: str
    title: str
    citation: str
    summary: str
    issuers: tuple[str, ...] | None  # None: any organisation
    urls_article: str
    notifier: NotifierRule
    fields: tuple[FieldRule, ...]
    clock: ClockRule | None
    pause: PauseRule | None
    scrutiny_hours: int | None = None
    scrutiny_citation: str | None = None
    timestamps: bool = True
    check: bool = False

    @property
    def pausable(self) -> bool:
        return self.pause is not None

    def may_issue(self, org_kind: str | None) -> bool:
        return self.issuers is None or (org_kind or "") in self.issuers

    def missing(
        self,
        values: dict[str, str],
        *,
        category: str,
        notifier_name: str | None,
        notifier_email: str | None,
    ) -> list[dict[str, str]]:
        """Every required field that is empty or not one of its choices, each naming its
        article: the service turns them into a 422."""
        errors = []
        for f in self.fields:
            value = (values.get(f.name) or "").strip()
            if not value and not f.optional:
                errors.append(
                    {"field": f"fields.{f.name}", "message": f"{f.label}: required by {f.article}"}
                )
            elif value and f.choices and value not in f.choices:
                errors.append(
                    {
                        "field": f"fields.{f.name}",
                        "message": f"{f.label}: one of {', '.join(f.choices)} ({f.article})",
                    }
                )
        if self.notifier.required_for(category):
            given: dict[str, str | None] = {
                "notifier_name": notifier_name,
                "notifier_email": notifier_email,
            }
            for name, text in given.items():
                if not (text or "").strip():
                    what = "name" if name == "notifier_name" else "e-mail address"
                    errors.append(
                        {
                            "field": name,
                            "message": f"the notifier's {what}: required by "
                            f"{self.notifier.article}",
                        }
                    )
        return errors


@dataclass(frozen=True)
class Rules:
    as_of: str
    kinds: dict[str, KindRule] = field(default_factory=dict)

    def get(self, code: str) -> KindRule:
        try:
            return self.kinds[code]
        except KeyError:
            known = ", ".join(self.kinds)
            raise KeyError(f"unknown notice kind {code!r} (known: {known})") from None


def _clock(raw: dict[str, Any] | None, where: str) -> ClockRule | None:
    if raw is None:
        return None
    ruledata.no_stray_keys(raw, CLOCK_KEYS, where)
    duration = ruledata.duration(raw, where)
    starts = str(raw.get("starts_on", "sent"))
    if starts not in STARTS:
        raise RulesError(f"{where}: starts_on must be one of {STARTS}, not {starts!r}")
    return ClockRule(
        label=str(raw["label"]),
        duration=duration,
        starts_on=starts,
        legal=bool(raw["legal"]),
        citation=str(raw["citation"]),
        milestones=tuple(timedelta(days=float(d)) for d in raw.get("milestones_days") or ()),
        check=bool(raw.get("check", False)),
        remind_after=timedelta(minutes=float(raw["remind_after_minutes"]))
        if raw.get("remind_after_minutes") is not None
        else None,
    )


def _kind(raw: dict[str, Any]) -> KindRule:
    code = str(raw.get("code", "?"))
    where = f"kind {code}"
    ruledata.no_stray_keys(raw, KIND_KEYS, where)
    try:
        for i, f in enumerate(raw["fields"]):
            ruledata.no_stray_keys(f, FIELD_KEYS, f"{where}, field {i + 1}")
        fields = tuple(
            FieldRule(
                str(f["name"]),
                str(f["label"]),
                str(f["article"]),
                bool(f.get("optional", False)),
                tuple(str(c) for c in f.get("choices") or ()),
            )
            for f in raw["fields"]
        )
        n = raw["notifier"]
        notifier = NotifierRule(
            required=bool(n["required"]),
            article=str(n["article"]),
            exempt_categories=tuple(n.get("exempt_categories") or ()),
            exempt_article=n.get("exempt_article"),
        )
        pause = raw.get("pause")
        scrutiny = raw.get("scrutiny")
        issuers = raw["issuers"]
        return KindRule(
            code=code,
            title=str(raw["title"]),
            citation=str(raw["citation"]),
            summary=str(raw["summary"]).strip(),
            issuers=None if issuers == "any" else tuple(str(i) for i in issuers),
            urls_article=str(raw["urls_article"]),
            notifier=notifier,
            fields=fields,
            clock=_clock(raw.get("clock"), f"{where}, clock"),
            pause=PauseRule(tuple(pause["reasons"]), str(pause["citation"])) if pause else None,
            scrutiny_hours=int(scrutiny["hours"]) if scrutiny else None,
            scrutiny_citation=str(scrutiny["citation"]) if scrutiny else None,
            timestamps=bool(raw.get("timestamps", True)),
            check=bool(raw.get("check", False)),
        )
    except KeyError as exc:
        raise RulesError(f"{where}: missing key {exc.args[0]!r}") from None


def parse(text: str) -> Rules:
    as_of, kinds = ruledata.entries(text, "kinds", "notice kinds", _kind, lambda k: k.code)
    return Rules(as_of=as_of, kinds=kinds)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> Rules:
    """The rules from ``path`` (an operator's copy) or the shipped file."""
    return parse((path or SHIPPED).read_text(encoding="utf-8"))
