"""Bulk loading of the directory: the CSV format and the iptoasn.com TSV data set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.errors import Forbidden, InvalidInput
from contactpoint.takedown import asn, directory, directory_csv
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderNetwork
from factories import actor_of, make_org, make_user

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"

CSV = """provider,kind,country,org,abuse_email,abuse_url,tco_contact,notes,cidr,asn,domain
Example Hosting,hosting,FR,Host Org,abuse@host.example,https://host.example/abuse,,,192.0.2.0/24,AS64500,
Example Hosting,,,,,,,,2001:db8::/32,64500,
Example Hosting,,,,,,,,,,hosted.example.com
Blog Platform,platform,DE,,abuse@blogs.example,,tco@blogs.example,,,,blogs.example.net
Bad Row,hosting,FR,,,,,,10.0.0.0/8,,
No Country,hosting,,,,,,,,,
Bad Email,hosting,FR,,not-an-email,,,,,,
Bad Domain,hosting,FR,,,,,,,,localhost
,hosting,FR,,,,,,,,
Wrong Org,hosting,FR,Nobody Org,,,,,,,
"""


def _counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Provider)) or 0,
        db.scalar(select(func.count()).select_from(ProviderNetwork)) or 0,
        db.scalar(select(func.count()).select_from(ProviderDomain)) or 0,
    )


def test_csv_import_keeps_good_rows_reports_bad_and_reruns_cleanly(db: Session) -> None:
    org = make_org(db, "Host Org", kind="hosting")
    officer = actor_of(make_user(db, roles=["contact-point-officer"]))
    result = directory_csv.import_csv(db, officer, CSV)
    assert (result.providers_created, result.networks_added, result.domains_added) == (2, 2, 2)
    assert {(e["line"], e["field"]) for e in result.errors} == {
        (6, "cidr"),
        (7, "country"),
        (8, "abuse_email"),
        (9, "domain"),
        (10, "provider"),
        (11, "org"),
    }
    assert _counts(db) == (2, 2, 2)
    host = directory.find_by_name(db, "Example Hosting")
    assert host is not None and host.org_id == org.id and host.abuse_email == "abuse@host.example"
    r = directory.resolve_url(db, "http://[2001:db8::5]/x")
    assert r is not None and r.provider.name == "Example Hosting" and "AS64500" in r.matched
    r = directory.resolve_url(db, "https://a.blogs.example.net/p", resolver=lambda h: [])
    assert r is not None and r.provider.name == "Blog Platform"

    again = directory_csv.import_csv(db, officer, CSV)
    assert (again.providers_created, again.networks_added, again.domains_added) == (0, 0, 0)
    assert again.unchanged_rows == 4 and _counts(db) == (2, 2, 2)

    # Export then import is a no-op; a row naming another provider moves the range.
    exported = directory_csv.export_csv(db)
    assert directory_csv.import_csv(db, officer, exported).unchanged_rows == 4
    moved = directory_csv.import_csv(
        db, officer, "provider,cidr,asn\nBlog Platform,192.0.2.0/24,64510\n"
    )
    assert moved.networks_moved == 1
    r = directory.resolve_url(db, "http://192.0.2.1/")
    assert r is not None and r.provider.name == "Blog Platform" and "AS64510" in r.matched


def test_csv_import_needs_the_right_and_the_header(db: Session) -> None:
    analyst = actor_of(make_user(db, roles=["analyst"]))
    with pytest.raises(Forbidden):
        directory_csv.import_csv(db, analyst, CSV)
    with pytest.raises(InvalidInput) as exc:
        directory_csv.import_csv(db, SYSTEM, "name,cidr\nX,192.0.2.0/24\n")
    assert exc.value.errors[0]["field"] == "provider"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("broken line", "columns"),
        ("x\t1.0.0.1\t1\tUS\tX", "range_start"),
        ("1.0.0.9\t1.0.0.1\t1\tUS\tX", "range_end"),
        ("1.0.0.0\t::1\t1\tUS\tX", "range_end"),
        ("1.0.0.0\t1.0.0.1\tASX\tUS\tX", "AS_number"),
    ],
)
def test_asn_line_errors_name_the_column(line: str, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        asn.parse_line(1, line)


def test_asn_parse_forms() -> None:
    r = asn.parse_line(1, "16777216\t16777471\t13335\tUS\tCLOUDFLARENET\n")  # u32 variant
    assert r is not None and str(r.start) == "1.0.0.0" and str(r.end) == "1.0.0.255"
    r = asn.parse_line(2, "1.0.4.0\t1.0.7.255\t38803\tNone\tGTELECOM-AUSTRALIA")
    assert r is not None and r.country == "ZZ"
    assert [str(n) for n in asn.cidrs(r)] == ["1.0.4.0/22"]
    assert asn.parse_line(3, "\n") is None


def test_asn_import_creates_a_provider_per_as_and_reruns_cleanly(db: Session) -> None:
    lines = SAMPLE.read_text().splitlines()
    commits: list[int] = []
    result = asn.import_asn(
        db, SYSTEM, lines, batch_size=2, on_batch=lambda r: commits.append(r.networks_added)
    )
    assert len(commits) >= 3  # several batches, each reported to the caller
    assert (result.lines, result.skipped, result.ases, result.providers_created) == (6, 1, 4, 4)
    assert {(e["line"], e["field"]) for e in result.errors} == {
        (6, "columns"),
        (7, "range_end"),
        (9, "AS_number"),
    }
    # 1.0.0.0/24, 192.0.2.0/24, 198.51.100.0/26 + /27, 198.51.100.96/27 + /26, 2001:db8::/32
    assert result.networks_added == 7
    names = set(db.scalars(select(Provider.name)))
    assert names == {"CLOUDFLARENET", "EXAMPLE-HOSTING-FR", "EXAMPLE-DE", "EXAMPLE-DE (AS64502)"}
    cf = directory.find_by_name(db, "CLOUDFLARENET")
    assert cf is not None and cf.kind.value == "cdn" and cf.country == "US"
    r = directory.resolve_url(db, "http://198.51.100.100/")
    assert r is not None and r.provider.name == "EXAMPLE-DE (AS64502)"
    assert r.matched == "198.51.100.96/27 (AS64502)"
    r = directory.resolve_url(db, "http://[2001:db8:1::1]/")
    assert r is not None and r.provider.name == "EXAMPLE-HOSTING-FR"

    again = asn.import_asn(db, SYSTEM, lines)
    assert (again.providers_created, again.networks_added, again.networks_unchanged) == (0, 0, 7)
    assert _counts(db)[:2] == (4, 7)

    # A range that changed AS moves to the new AS's provider.
    moved = asn.import_asn(db, SYSTEM, ["192.0.2.0\t192.0.2.255\t13335\tUS\tCLOUDFLARENET"])
    assert moved.networks_moved == 1 and moved.providers_created == 0
    r = directory.resolve_url(db, "http://192.0.2.9/")
    assert r is not None and r.provider.name == "CLOUDFLARENET"


def test_asn_import_only_country(db: Session) -> None:
    lines = SAMPLE.read_text().splitlines()
    result = asn.import_asn(db, SYSTEM, lines, only_countries=["fr"])
    assert result.providers_created == 1 and result.networks_added == 2
    assert set(db.scalars(select(Provider.name))) == {"EXAMPLE-HOSTING-FR"}
