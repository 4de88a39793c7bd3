"""The classification: mappings resolve in pytaxonomies, offences carry citations."""

from __future__ import annotations

from typer.testing import CliRunner

import contactpoint.taxonomy.service as taxonomy
from contactpoint.taxonomy.vocab import Category, CrimeKind


def test_every_category_maps_to_live_rsit_and_common_taxonomy_entries() -> None:
    assert {c.id for c in taxonomy.categories()} == set(Category)
    for cat in taxonomy.categories():
        assert cat.incident_types
        for it in cat.incident_types:
            assert it.rsit.machinetag.startswith("rsit:")
            assert it.common.machinetag.startswith("common-taxonomy:")
            assert it.rsit.description  # loaded from pytaxonomies, not from our file


def test_every_crime_kind_has_defaults_and_advice() -> None:
    assert {k.id for k in taxonomy.crime_kinds()} == set(CrimeKind)
    for kind in CrimeKind:
        info = taxonomy.crime_kind(kind)
        assert info.incident_type in taxonomy.incident_type_ids(info.category)
        for lang in ("en", "fr", "de"):
            assert taxonomy.advice_for(kind, lang)
    assert taxonomy.advice_for("fraud", "pl") == taxonomy.advice_for("fraud", "en")
    assert len(taxonomy.advice_for(Category.ILLEGAL_CONTENT, "fr")) >= 3


def test_offences_cover_the_instruments_of_legal_rules() -> None:
    codes = taxonomy.offence_codes()
    assert {f"ets185-art{n}" for n in range(2, 11)} <= codes
    assert {f"d2013-40-art{n}" for n in range(3, 9)} <= codes
    assert {f"d2019-713-art{n}" for n in range(3, 9)} <= codes
    assert {f"d2011-93-art{n}" for n in range(3, 8)} <= codes
    assert "d2017-541-art5" in codes
    assert taxonomy.offence("ets185-art8").citation == "Budapest Convention (ETS 185) Art. 8"


def test_cli_show() -> None:
    from contactpoint.cli import app

    result = CliRunner().invoke(app, ["taxonomy", "show", "--json", "--lang", "de"])
    assert result.exit_code == 0, result.output
    assert "Herkömmliche Kriminalität" in result.output
    assert 'rsit:availability=\\"ddos\\"' in result.output
