"""Export formats, diffs, hash-prefix tables and signatures (pure, no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import dns.zone

from contactpoint.blocking import rpz, signing, writers
from contactpoint.blocking.hashprefix import HashList, LookupTable, full_hash
from contactpoint.blocking.writers import ExportEntry, ListMeta

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def entry(
    kind: str, value: str, host: str = "", *, block_host: bool = False, eid: str = ""
) -> ExportEntry:
    return ExportEntry(
        id=eid or f"id-{value}",
        kind=kind,
        value=value,
        host=host or value,
        block_host=block_host,
        category="phishing",
        legal_basis="Code pénal art. 6-1",
        decision_reference="DEC-1",
        valid_from="2026-11-01T00:00:00+00:00",
        valid_until=None,
        redress_url="https://redress.example/",
    )


ENTRIES = [
    entry("domain", "shop-fraud.example"),
    entry("url", "http://cdn.example/phish/login.html", "cdn.example"),
    entry("url", "http://whole.example/x", "whole.example", block_host=True),
    entry("ip", "198.51.100.7"),
    entry("ip", "2001:db8::1"),
]


def meta(serial: int = 3, landing: str | None = None, wildcard: bool = True) -> ListMeta:
    return ListMeta("FR", serial, WHEN, landing, wildcard)


def test_rpz_text_is_the_dnspython_zone() -> None:
    text = writers.render("rpz", ENTRIES, meta()).decode()
    parsed = dns.zone.from_text(text, relativize=True)
    names, ips = writers.dns_names(ENTRIES)
    built = rpz.build_zone(rpz.ZoneSpec("fr.rpz.contactpoint.", 3, None, True), names, ips)
    assert parsed == built
    assert parsed.get_soa().serial == 3
    assert "shop-fraud.example CNAME ." in text
    assert "*.shop-fraud.example CNAME ." in text
    assert "whole.example CNAME ." in text
    assert "cdn.example" not in text  # a URL entry without block_host stays out of DNS
    assert "32.7.100.51.198.rpz-ip CNAME ." in text
    assert "128.1.zz.db8.2001.rpz-ip CNAME ." in text


def test_rpz_landing_page_and_no_wildcard() -> None:
    text = writers.render("rpz", ENTRIES, meta(landing="stop.example.org", wildcard=False)).decode()
    assert "shop-fraud.example CNAME stop.example.org." in text
    assert "*.shop-fraud" not in text


def test_hosts_csv_json() -> None:
    hosts = writers.render("hosts", ENTRIES, meta()).decode()
    assert "0.0.0.0 shop-fraud.example\n" in hosts and "0.0.0.0 whole.example\n" in hosts
    assert "cdn.example" not in hosts and "198.51.100.7" not in hosts
    csv_text = writers.render("csv", ENTRIES, meta()).decode()
    assert csv_text.splitlines()[0].startswith("id,kind,value,category,legal_basis")
    assert len(csv_text.splitlines()) == 6
    body = json.loads(writers.render("json", ENTRIES, meta()))
    assert body["serial"] == 3 and len(body["entries"]) == 5
    assert writers.render("json", ENTRIES, meta()) == writers.render("json", ENTRIES[::-1], meta())


def test_hash_prefix_files_and_checksum() -> None:
    exprs = writers.hash_expressions(ENTRIES)
    assert "cdn.example/phish/login.html" in exprs and "whole.example/" in exprs
    hl = HashList.from_expressions(exprs)
    prefixes = writers.render("prefixes", ENTRIES, meta())
    assert len(prefixes) % 4 == 0 and prefixes == hl.prefixes_bytes()
    assert [prefixes[i : i + 4] for i in range(0, len(prefixes), 4)] == sorted(hl.prefixes)
    text = writers.render("hashes", ENTRIES, meta()).decode()
    assert f"# sha256-of-sorted-list {hl.checksum()}" in text
    assert full_hash("shop-fraud.example/").hex() in text


def test_lookup_table_blocks_subdomains_paths_and_exact_urls() -> None:
    table = LookupTable.build((e, e) for e in writers.hash_expressions(ENTRIES))
    assert table.lookup("https://WWW.Shop-Fraud.example/any/page?x=1") == ["shop-fraud.example/"]
    assert table.lookup("http://cdn.example/phish/login.html#f") == ["cdn.example/phish/login.html"]
    assert table.lookup("http://cdn.example/other.html") == []
    assert table.lookup("http://198.51.100.7/") == ["198.51.100.7/"]
    assert table.lookup("http://example.org/") == []


def test_diff_shows_additions_and_removals_in_every_format() -> None:
    old = ENTRIES[:3]
    new = [*ENTRIES[1:3], entry("domain", "new-fraud.example")]
    for fmt in writers.FORMATS:
        added, removed = writers.diff(
            fmt, writers.render(fmt, old, meta(1)), writers.render(fmt, new, meta(2))
        )
        assert added and removed, fmt
        if fmt in ("rpz", "hosts"):
            assert any("new-fraud.example" in a for a in added)
            assert any("shop-fraud.example" in r for r in removed)
            assert not any("whole.example" in x for x in added + removed)  # unchanged


def test_signature_verifies_and_tampering_fails(tmp_path: Path) -> None:
    path = tmp_path / "var" / signing.KEY_FILE
    key = signing.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert signing.load_or_create(path).private_bytes_raw() == key.private_bytes_raw()
    data = writers.render("rpz", ENTRIES, meta())
    sig = signing.sign(key, data)
    pub = signing.public_pem(key)
    assert len(sig) == 64 and signing.verify(pub, data, sig)
    assert not signing.verify(pub, data.replace(b"shop-fraud", b"shop-frauf"), sig)
    other = signing.public_pem(signing.generate(tmp_path / "other.pem"))
    assert not signing.verify(other, data, sig)
