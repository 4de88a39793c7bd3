"""The classification as plain functions over package data (no database).

- categories of COM(2007) 267, each with incident types whose labels and descriptions come
  from the MISP taxonomies ``rsit`` and ``common-taxonomy`` shipped by pytaxonomies;
- citizen-facing crime kinds with their defaults and advice;
- offence codes with citations and the ``check`` flag of shared/LEGAL_RULES.md.

The mapping is data (``data/*.json``); a referenced taxonomy entry that pytaxonomies does
not know fails loudly at first use, so an upgrade that renames entries is caught by tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from pytaxonomies import Taxonomies

from contactpoint.taxonomy.vocab import Category, CrimeKind

DATA = Path(__file__).resolve().parent / "data"
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class TaxonomyEntry:
    namespace: str  # rsit | common-taxonomy
    predicate: str
    value: str
    label: str
    description: str

    @property
    def machinetag(self) -> str:
        return f'{self.namespace}:{self.predicate}="{self.value}"'


@dataclass(frozen=True)
class IncidentType:
    id: str  # the RSIT value, unique across RSIT: "phishing", "ddos", ...
    category: Category
    rsit: TaxonomyEntry
    common: TaxonomyEntry

    @property
    def label(self) -> str:
        return self.rsit.label


@dataclass(frozen=True)
class CategoryInfo:
    id: Category
    labels: dict[str, str]
    examples: str
    incident_types: tuple[IncidentType, ...]

    def label(self, lang: str = FALLBACK_LANGUAGE) -> str:
        return self.labels.get(lang) or self.labels[FALLBACK_LANGUAGE]


@dataclass(frozen=True)
class Offence:
    code: str
    instrument: str
    article: str
    title: str
    category: Category
    check: bool  # not yet confirmed against the official text

    @property
    def citation(self) -> str:
        return f"{self.instrument} Art. {self.article}"


@dataclass(frozen=True)
class CrimeKindInfo:
    id: CrimeKind
    category: Category
    incident_type: str
    offence: str | None
    labels: dict[str, str]
    advice: dict[str, list[str]]

    def label(self, lang: str = FALLBACK_LANGUAGE) -> str:
        return self.labels.get(lang) or self.labels[FALLBACK_LANGUAGE]


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def _taxonomies() -> Any:
    return Taxonomies()


def _entry(namespace: str, ref: str) -> TaxonomyEntry:
    predicate, _, value = ref.partition("/")
    try:
        entry = _taxonomies()[namespace][predicate][value]
    except KeyError as exc:
        raise LookupError(f"{namespace} has no entry {ref!r} (taxonomy/data mapping)") from exc
    return TaxonomyEntry(
        namespace, predicate, value, entry.expanded or value, entry.description or ""
    )


@cache
def _categories() -> dict[Category, CategoryInfo]:
    out = {}
    for cat in _load("classification.json")["categories"]:
        cid = Category(cat["id"])
        types = tuple(
            IncidentType(
                id=_entry("rsit", it["rsit"]).value,
                category=cid,
                rsit=_entry("rsit", it["rsit"]),
                common=_entry("common-taxonomy", it["common"]),
            )
            for it in cat["incident_types"]
        )
        out[cid] = CategoryInfo(cid, cat["label"], cat["examples"], types)
    return out


def categories() -> list[CategoryInfo]:
    return list(_categories().values())


def category(cid: Category | str) -> CategoryInfo:
    return _categories()[Category(cid)]


def incident_types(cat: Category | str | None = None) -> list[IncidentType]:
    """The incident types of one category, or of all."""
    cats = [category(cat)] if cat is not None else categories()
    return [it for c in cats for it in c.incident_types]


@cache
def incident_type_ids(cat: Category) -> frozenset[str]:
    return frozenset(it.id for it in incident_types(cat))


@cache
def _offences() -> dict[str, Offence]:
    rows = _load("offences.json")["offences"]
    return {
        r["code"]: Offence(
            r["code"],
            r["instrument"],
            r["article"],
            r["title"],
            Category(r["category"]),
            bool(r["check"]),
        )
        for r in rows
    }


def offences() -> list[Offence]:
    return list(_offences().values())


def offence(code: str) -> Offence:
    return _offences()[code]


@cache
def offence_codes() -> frozenset[str]:
    return frozenset(_offences())


@cache
def _crime_kinds() -> dict[CrimeKind, CrimeKindInfo]:
    out = {}
    for r in _load("crime_kinds.json")["crime_kinds"]:
        info = CrimeKindInfo(
            CrimeKind(r["id"]),
            Category(r["category"]),
            r["incident_type"],
            r["offence"],
            r["label"],
            r["advice"],
        )
        if info.incident_type not in incident_type_ids(info.category):
            raise LookupError(
                f"crime kind {info.id}: incident type {info.incident_type} "
                f"is not in category {info.category}"
            )
        if info.offence is not None and info.offence not in offence_codes():
            raise LookupError(f"crime kind {info.id}: unknown offence {info.offence}")
        out[info.id] = info
    return out


def crime_kinds() -> list[CrimeKindInfo]:
    return list(_crime_kinds().values())


def crime_kind(kind: CrimeKind | str) -> CrimeKindInfo:
    return _crime_kinds()[CrimeKind(kind)]


def advice_for(kind: CrimeKind | Category | str, lang: str = FALLBACK_LANGUAGE) -> list[str]:
    """Advice for a crime kind (or, given a category, for all its crime kinds), in ``lang``
    when translated, else in English."""
    kinds: list[CrimeKindInfo]
    if isinstance(kind, Category) or kind in {c.value for c in Category}:
        kinds = [k for k in crime_kinds() if k.category == Category(kind)]
    else:
        kinds = [crime_kind(kind)]
    out: list[str] = []
    for k in kinds:
        for line in k.advice.get(lang) or k.advice[FALLBACK_LANGUAGE]:
            if line not in out:
                out.append(line)
    return out


_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ"}


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (from Babel's CLDR data)."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def as_dict(lang: str = FALLBACK_LANGUAGE) -> dict[str, Any]:
    """The whole classification, as `GET /api/v1/taxonomy` and `taxonomy show` give it."""
    return {
        "categories": [
            {
                "id": c.id.value,
                "label": c.label(lang),
                "examples": c.examples,
                "source": "COM(2007) 267",
                "incident_types": [
                    {
                        "id": it.id,
                        "label": it.label,
                        "description": it.rsit.description,
                        "rsit": it.rsit.machinetag,
                        "common_taxonomy": it.common.machinetag,
                    }
                    for it in c.incident_types
                ],
            }
            for c in categories()
        ],
        "crime_kinds": [
            {
                "id": k.id.value,
                "label": k.label(lang),
                "category": k.category.value,
                "incident_type": k.incident_type,
                "offence": k.offence,
            }
            for k in crime_kinds()
        ],
        "offences": [
            {
                "code": o.code,
                "title": o.title,
                "citation": o.citation,
                "category": o.category.value,
                "check": o.check,
            }
            for o in offences()
        ],
    }
