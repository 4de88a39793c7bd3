"""Blocklist service on both databases: entries, validation, publish, expiry, diffs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.blocking import lookups, service
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound
from factories import actor_of, block_entry, blocking_users, make_org, make_user


def test_entries_publish_and_versions(db: Session) -> None:
    officer, isp = blocking_users(db)
    a = actor_of(officer)
    service.add_entry(db, a, "FR", block_entry(value="Fake-Shop.COM."))
    service.add_entry(db, a, "FR", block_entry(kind="url", value="http://cdn.com/Ph/x.html#a"))
    service.add_entry(db, a, "FR", block_entry(kind="ip", value="185.199.108.153"))
    v1 = service.publish(db, a, "FR")
    assert (v1.serial, v1.entry_count) == (1, 3)
    rpz = service.render(v1, "FR", "rpz").decode()
    assert "fake-shop.com CNAME ." in rpz and "cdn.com" not in rpz
    assert service.publish(db, a, "FR").serial == 2
    # The provider in France sees both versions; the audit log recorded the publications.
    assert [v.serial for v in service.versions(db, actor_of(isp), "fr")] == [2, 1]
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"blocking.entry.add", "blocking.publish"} <= actions


def test_bad_values_are_named(db: Session) -> None:
    officer, _ = blocking_users(db)
    a = actor_of(officer)
    cases = {
        ("ip", "10.1.2.3"): "private",
        ("ip", "127.0.0.1"): "private",
        ("ip", "not-an-ip"): "not an IP address",
        ("url", "http://[::1"): "not a URL",
        ("url", "ftp-no-scheme"): "http(s) URL",
        ("url", "http://192.168.1.1/admin"): "private",
        ("domain", "localhost"): "public suffix",
        ("domain", "exa mple.com"): "public suffix",
    }
    for (kind, value), words in cases.items():
        with pytest.raises(InvalidInput) as exc:
            service.add_entry(db, a, "FR", block_entry(kind=kind, value=value))
        assert exc.value.errors[0]["field"] == "value" and words in exc.value.detail, value
    with pytest.raises(InvalidInput) as exc:
        service.add_entry(db, a, "FR", block_entry(category="knitting", legal_basis=""))
    assert {e["field"] for e in exc.value.errors} == {"category", "legal_basis"}


def test_only_the_countrys_authority_manages(db: Session) -> None:
    officer, isp = blocking_users(db)
    de_officer = make_user(db, make_org(db, country="DE"), ["contact-point-officer"])
    hotline = make_user(db, make_org(db, kind="hotline"), ["contact-point-officer"])
    service.add_entry(db, actor_of(officer), "FR", block_entry())
    with pytest.raises(Forbidden):
        service.add_entry(db, actor_of(isp), "FR", block_entry(value="x.com"))
    with pytest.raises(NotFound):
        service.add_entry(db, actor_of(de_officer), "FR", block_entry(value="x.com"))
    with pytest.raises(NotFound):
        service.add_entry(db, actor_of(hotline), "FR", block_entry(value="x.com"))
    with pytest.raises(NotFound):
        service.versions(db, actor_of(de_officer), "FR")


def test_expired_and_withdrawn_entries_leave_the_next_version(db: Session) -> None:
    officer, _ = blocking_users(db)
    a = actor_of(officer)
    now = utcnow()
    service.add_entry(
        db, a, "FR", block_entry(value="short.com", valid_until=now + timedelta(days=1))
    )
    keep = service.add_entry(db, a, "FR", block_entry(value="keep.com"))
    gone = service.add_entry(db, a, "FR", block_entry(value="gone.com"))
    v1 = service.publish(db, a, "FR")
    service.withdraw(db, a, "FR", gone.id, "court annulled decision")
    v2 = service.publish(db, a, "FR", now=now + timedelta(days=2))
    assert (v1.entry_count, v2.entry_count) == (3, 1)
    body = service.diff(db, a, "FR", "1", "2", "hosts")
    assert body["removed"] == ["0.0.0.0 gone.com", "0.0.0.0 short.com"]
    assert body["added"] == []
    assert "keep.com" in service.render(v2, "FR", "hosts").decode()
    assert keep.withdrawn_at is None


def test_diff_of_unknown_version_offers_the_full_list(db: Session) -> None:
    officer, isp = blocking_users(db)
    service.add_entry(db, actor_of(officer), "FR", block_entry())
    service.publish(db, actor_of(officer), "FR")
    with pytest.raises(service.UnknownVersion) as exc:
        service.diff(db, actor_of(isp), "FR", "7", "latest", "rpz")
    assert exc.value.full_list == "/api/v1/blocking/lists/FR/versions/1/{format}"


def test_bulk_csv_reports_lines_and_is_idempotent(db: Session) -> None:
    officer, _ = blocking_users(db)
    a = actor_of(officer)
    csv_text = (
        "kind,value,block_host,category,legal_basis,decision_reference,redress_text\n"
        "domain,one.com,,fraud,L1,D1,appeal\n"
        "ip,10.0.0.1,,fraud,L1,D2,appeal\n"
        "url,http://two.com/p,true,phishing,L1,D3,appeal\n"
        "url,http://two.com/p,true,phishing,L1,D3,appeal\n"
        "domain,three.com,,nope,L1,D4,appeal\n"
    )
    first = service.bulk_add(db, a, "FR", csv_text)
    assert (first["added"], first["skipped"]) == (2, 1)
    assert [(e["line"], e["field"]) for e in first["errors"]] == [(3, "value"), (6, "category")]
    second = service.bulk_add(db, a, "FR", csv_text)
    assert (second["added"], second["skipped"]) == (0, 3)


def test_lookup_table_follows_new_versions(db: Session) -> None:
    officer, isp = blocking_users(db)
    a = actor_of(officer)
    e = service.add_entry(db, a, "FR", block_entry(kind="url", value="http://x.com/a/b"))
    service.publish(db, a, "FR")
    hit = lookups.check_url(db, actor_of(isp), "FR", "HTTP://X.com/a/b#frag")
    assert hit["matches"] == [str(e.id)] and hit["serial"] == 1
    assert lookups.check_url(db, actor_of(isp), "FR", "http://x.com/a/c")["matches"] == []
    d = service.add_entry(db, a, "FR", block_entry(value="x.com"))
    service.publish(db, a, "FR")
    again = lookups.check_url(db, actor_of(isp), "FR", "http://www.x.com/a/c")
    assert again["matches"] == [str(d.id)] and again["serial"] == 2
    assert [i.entry.id for i in lookups.stop_page(db, "sub.x.com")] == [d.id]
    assert [i.entry.id for i in lookups.stop_page(db, str(e.id))] == [e.id]
