"""The bulk generator: same seed same bytes, valid import lines, realistic campaigns whose
indicator keys are exactly what extraction finds, and an import that links campaigns as the
pure union-find says it should."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest
from schwifty import IBAN
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.core import jobs
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.correlation import unionfind
from contactpoint.correlation.models import CampaignMember
from contactpoint.indicators import cards, warninglists
from contactpoint.indicators import service as indicators
from contactpoint.indicators.extract import extract
from contactpoint.reports.models import Report
from contactpoint.reports.schemas import ReportIn
from contactpoint.taxonomy.vocab import CrimeKind
from contactpoint.training import bulkgen
from contactpoint.training.bulkgen_text import COUNTRIES, LANGUAGES
from factories import make_org, queued_job_args, use_cli_settings


def test_same_seed_same_bytes_and_truth(tmp_path: Path) -> None:
    a = bulkgen.write_jsonl(tmp_path / "a.jsonl", 400, seed=11)
    b = bulkgen.write_jsonl(tmp_path / "b.jsonl", 400, seed=11)
    c = bulkgen.write_jsonl(tmp_path / "c.jsonl", 400, seed=12)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert bulkgen.truth_path(a).read_bytes() == bulkgen.truth_path(b).read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    with bulkgen.truth_path(a).open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert len(lines) == len(truth) == 400
    assert [json.loads(line)["external_id"] for line in lines] == [t["external_id"] for t in truth]


def test_every_line_is_valid_import_input() -> None:
    reports = list(bulkgen.generate(5000, seed=5))
    parsed = [ReportIn.model_validate(r) for r in reports]
    assert len({p.external_id for p in parsed}) == 5000
    assert {p.crime_kind for p in parsed} == set(CrimeKind)
    assert {p.victim_country for p in parsed} == set(COUNTRIES)  # 32 countries
    assert len({p.loss_currency for p in parsed if p.loss_currency}) >= 10
    days = sorted(p.occurred_at for p in parsed if p.occurred_at)
    assert (days[-1] - days[0]).days > 365  # spread over two years


def test_each_report_is_written_in_its_countrys_language() -> None:
    openings: dict[str, set[str]] = defaultdict(set)  # Danish and Norwegian share a few
    for code, lang in LANGUAGES.items():
        for theme in ("shop", "invest", "bank", "account", "attack", "content"):
            openings[getattr(lang, theme).split("{")[0][:25]].add(code)
    seen: set[str] = set()
    for r in bulkgen.generate(3000, seed=5):
        desc = str(r["description"])
        langs = set().union(*(codes for start, codes in openings.items() if desc.startswith(start)))
        assert langs, desc
        assert langs & set(COUNTRIES[str(r["victim_country"])][0]), (r["victim_country"], desc)
        seen |= langs
    assert len(seen) == len(LANGUAGES)  # 25 languages


def test_campaign_sizes_are_heavy_tailed_and_cross_borders() -> None:
    drawn = list(bulkgen.draw(20_000, seed=3))
    sizes = Counter(d.campaign for d in drawn)
    histogram = Counter(sizes.values())
    assert max(sizes.values()) >= 500  # a few big campaigns (capped at n/20 here)
    assert histogram[1] > len(sizes) / 3  # and many lone offenders
    countries: dict[int, set[object]] = defaultdict(set)
    for d in drawn:
        countries[d.campaign].add(d.report["victim_country"])
    big = [c for c, n in sizes.items() if n >= 100]
    assert big and all(len(countries[c]) >= 2 for c in big)


def test_keys_are_what_extraction_finds() -> None:
    """The benchmark links reports by these keys, so they must be the intake's indicators."""
    checked = redacted = 0
    for d in bulkgen.draw(1500, seed=9):
        r = d.report
        country = str(r["victim_country"])
        desc = str(r["description"])
        found = {f"{i.type}:{i.value}" for i in extract(desc, country_hint=country)}
        idents = r["suspect_identifiers"]
        assert isinstance(idents, list)
        found |= {
            f"{f.type}:{f.value}" for f in indicators.from_identifiers(idents, country_hint=country)
        }
        if cards.redact(desc) != desc:
            # Known extractor limit: a grouped IBAN whose account digits pass Luhn is taken
            # for a card number and redacted; its IBAN is found only in the identifiers.
            redacted += 1
            assert found <= set(d.keys)
            continue
        assert found == set(d.keys), desc
        checked += 1
    assert checked > 1400 and redacted < 15


def test_indicators_are_valid_and_warninglists_known() -> None:
    gen = bulkgen.Generator(5000, seed=4)
    listed_seen = 0
    for d in gen.draw():
        for key in d.keys:
            type_, _, value = key.partition(":")
            if type_ == "iban":
                assert IBAN(value).compact == value
            elif type_ == "phone":
                assert phonenumbers.is_valid_number(phonenumbers.parse(value))
            if key in gen.warninglisted:
                listed_seen += 1
                assert warninglists.match(type_, value)
            elif type_ in ("domain", "url"):
                assert warninglists.match(type_, value) is None, key
    assert listed_seen > 1000  # platforms are mentioned often


def _queued_link_args(s: Session) -> list[list[str]]:
    return [list(a["report_ids"]) for a in queued_job_args(s, "correlation.link")]


def _stored_campaigns(s: Session) -> set[frozenset[str]]:
    rows = s.execute(
        select(CampaignMember.campaign_id, Report.external_id).join(
            Report, Report.id == CampaignMember.report_id
        )
    )
    groups: dict[object, set[str]] = defaultdict(set)
    for cid, ext in rows:
        groups[cid].add(str(ext))
    return {frozenset(g) for g in groups.values()}


def test_generated_file_imports_and_links_campaigns(
    tmp_path: Path,
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contactpoint.cli import app

    use_cli_settings(monkeypatch, settings)
    n, seed = 150, 21
    with transaction(factory) as s:
        make_org(s, "Bank A", "bank", "FR")
    path = tmp_path / "gen.jsonl"
    made = CliRunner().invoke(
        app, ["scenario", "generate", "--reports", str(n), "--seed", str(seed), "--out", str(path)]
    )
    assert made.exit_code == 0, made.output
    assert bulkgen.truth_path(path).exists()
    result = CliRunner().invoke(app, ["reports", "import", str(path), "--org", "Bank A"])
    assert result.exit_code == 0, result.output
    assert f"{n} accepted" in result.output

    # What the campaigns must be: the pure union-find over the generator's keys, with
    # warninglisted keys dropped and the over-correlation cap applied as the engine does.
    gen = bulkgen.Generator(n, seed)
    keys = {
        str(d.report["external_id"]): {k for k in d.keys if k not in gen.warninglisted}
        for d in gen.draw()
    }
    holders: dict[str, set[str]] = defaultdict(set)
    for ext, ks in keys.items():
        for k in ks:
            holders[k].add(ext)
    cap = settings.correlation_max_campaigns
    blocked = unionfind.blocked_keys(holders, (), (), cap)
    expected = {frozenset(g) for g in unionfind.components(keys, blocked) if len(g) > 1}
    assert len(expected) >= 3 and any(len(g) >= 3 for g in expected)

    with transaction(factory) as s:
        for ids in _queued_link_args(s):
            jobs.run_now(s, "correlation.link", report_ids=ids)
    with transaction(factory) as s:
        assert _stored_campaigns(s) == expected
        countries = {
            ext: country
            for ext, country in s.execute(select(Report.external_id, Report.victim_country))
        }
    assert any(len({countries[e] for e in g}) >= 2 for g in expected)  # across borders
