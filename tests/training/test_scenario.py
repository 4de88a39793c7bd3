"""The synthetic scenario: valid reports, deterministic, many languages and countries,
and campaigns whose identifiers cross borders."""

from __future__ import annotations

from collections import defaultdict

from contactpoint.reports.language import detect_language
from contactpoint.reports.schemas import ReportIn
from contactpoint.taxonomy.vocab import Category
from contactpoint.training import scenario


def test_every_report_is_valid_input() -> None:
    parsed = [ReportIn.model_validate(r) for r in scenario.reports(300)]
    assert len(parsed) == 300
    assert {p.category for p in parsed} == set(Category)
    assert len({p.victim_country for p in parsed}) >= 6
    assert len({p.external_id for p in parsed}) == 300


def test_same_seed_same_scenario() -> None:
    assert scenario.reports(50, seed=7) == scenario.reports(50, seed=7)
    assert scenario.reports(50, seed=7) != scenario.reports(50, seed=8)


def test_narratives_in_at_least_five_languages() -> None:
    langs = {detect_language(r["description"]) for r in scenario.reports(300)}
    assert {"en", "fr", "de", "es", "it", "nl", "pl"} <= langs


def test_campaigns_share_identifiers_across_countries() -> None:
    countries: dict[str, set[str]] = defaultdict(set)
    for item in scenario.generate(300):
        if item.campaign:
            for ident in item.report["suspect_identifiers"]:
                countries[ident["value"]].add(item.report["victim_country"])
    assert sum(1 for c in countries.values() if len(c) >= 2) >= 5


def test_ibans_pass_the_checksum_and_some_urls_are_defanged() -> None:
    idents = [i for r in scenario.reports(300) for i in r["suspect_identifiers"]]
    ibans = [i["value"] for i in idents if i["type"] == "iban"]
    assert ibans and all(scenario.iban_ok(v) for v in ibans)
    urls = [i["value"] for i in idents if i["type"] == "url"]
    assert any("hxxp" in u and "[.]" in u for u in urls)
    assert any(u.startswith("https://") for u in urls)
    assert any(r.get("loss_amount") for r in scenario.reports(100))


def test_scenario_imports_as_json_lines(tmp_path, factory, settings) -> None:  # type: ignore[no-untyped-def]
    import json

    from contactpoint.core.db import transaction
    from contactpoint.reports.bulk import import_file
    from factories import actor_of, make_org, make_user

    path = tmp_path / "scenario.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in scenario.reports(60)), encoding="utf-8"
    )
    with transaction(factory) as s:
        actor = actor_of(make_user(s, make_org(s, "Feed", "csirt", "NL"), ["analyst"]))
    summary = import_file(factory, settings, actor, path, batch_size=25)
    assert (summary.accepted, summary.rejected) == (60, 0), summary.rejects[:3]


def test_identifiers_in_the_text_are_found_by_the_extractor() -> None:
    """Correlation reads descriptions: every phone, wallet and e-mail a narrative mentions
    must be a valid indicator (libphonenumber, bech32 checksum)."""
    from contactpoint.indicators.extract import extract

    for r in scenario.reports(150):
        got = {i.type for i in extract(r["description"], country_hint=r["victim_country"])}
        text = r["description"]
        if "bc1q" in text:
            assert "btc" in got, text
        if "+" in text:
            assert "phone" in got, text
        if "@" in text:
            assert "email" in got, text
