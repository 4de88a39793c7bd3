"""The re-check job against a real HTTP server on 127.0.0.1, on both databases."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.core import notify
from contactpoint.core.actor import SYSTEM
from contactpoint.core.db import utcnow
from contactpoint.takedown import directory, recheck
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import Notice, NoticeEvent, NoticeKind, NoticeStatus, NoticeUrl
from factories import make_user

# path -> (status, body, extra headers); tests change it while the server runs.
ROUTES: dict[str, tuple[int, bytes, dict[str, str]]] = {}
ROUTES_SEEN: list[str] = []  # the Host header of each request
_refs = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ROUTES_SEEN.append(self.headers.get("host", ""))
        status, body, headers = ROUTES.get(self.path, (404, b"not found", {}))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@pytest.fixture
def server() -> Iterator[str]:
    ROUTES.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def checker(**kw: object) -> recheck.HttpChecker:
    return recheck.HttpChecker(timeout=5, allow=["127.0.0.0/8"], **kw)  # type: ignore[arg-type]


def test_http_checker_states(server: str) -> None:
    ROUTES.update(
        {
            "/page": (200, b"<html>illegal content</html>", {}),
            "/empty": (200, b"", {}),
            "/gone": (410, b"gone", {}),
            "/legal": (451, b"unavailable for legal reasons", {}),
            "/busy": (503, b"try later", {}),
            "/moved": (302, b"", {"location": "/page"}),
            "/to-private": (302, b"", {"location": "http://10.1.2.3/x"}),
            "/loop": (302, b"", {"location": "/loop"}),
        }
    )
    c = checker()
    assert c.check(f"{server}/page").state == "present"
    assert c.check(f"{server}/moved").state == "present"  # followed on the same host
    for path in ("/nothing", "/gone", "/legal", "/empty"):
        assert c.check(f"{server}{path}").state == "gone", path
    assert c.check(f"{server}/gone").detail == "HTTP 410"
    busy = c.check(f"{server}/busy")
    assert (busy.state, busy.detail) == ("error", "HTTP 503")
    refused = c.check(f"{server}/to-private")
    assert refused.state == "error" and "refused: 10.1.2.3" in refused.detail
    assert "redirects" in c.check(f"{server}/loop").detail
    # A host name is fetched at the address that was vetted (no second DNS answer), with
    # its own Host header: "shop.example" only exists in this lookup.
    port = server.rsplit(":", 1)[1]
    named = checker(lookup=lambda h: ["127.0.0.1"] if h == "shop.example" else [])
    assert named.check(f"http://shop.example:{port}/page").state == "present"
    assert ROUTES_SEEN[-1] == "shop.example:" + port
    # Without the allowance the local server itself is refused: nothing is fetched.
    assert recheck.HttpChecker().check(f"{server}/page").state == "error"


def test_dns_failure_is_gone() -> None:
    def no_such_host(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    r = recheck.HttpChecker(lookup=no_such_host).check("http://deleted-shop.example/x")
    assert (r.state, r.detail) == ("gone", "DNS: deleted-shop.example does not resolve")
    r = recheck.HttpChecker(lookup=lambda h: ["192.168.1.20"]).check("http://rebind.example/")
    assert r.state == "error" and "refused" in r.detail


def _notice(
    db: Session,
    provider: Provider,
    urls: list[str],
    status: NoticeStatus,
    *,
    sender_id: object,
    acted: datetime | None = None,
    due: datetime | None = None,
) -> Notice:
    n = Notice(
        reference=f"FR-2026-R{next(_refs):05d}",
        kind=NoticeKind.DSA_ART16,
        status=status,
        provider_id=provider.id,
        issuing_country="FR",
        category="phishing",
        sent_at=(acted or utcnow()) - timedelta(hours=5),
        acted_at=acted,
        due_at=due,
        created_by_id=sender_id,
    )
    n.urls = [NoticeUrl(position=i, url=u, host="127.0.0.1") for i, u in enumerate(urls)]
    db.add(n)
    db.flush()
    return n


def test_run_rechecks_verifies_and_catches_reappearance(db: Session, server: str) -> None:
    ROUTES["/still-here"] = (200, b"phishing kit", {})
    ROUTES["/410"] = (410, b"", {})
    sender = make_user(db, roles=["analyst"])
    host = directory.create_provider(db, SYSTEM, {"name": "Local Host", "country": "FR"})
    now = utcnow()
    gone = _notice(
        db,
        host,
        [f"{server}/404", f"{server}/410"],
        NoticeStatus.REMOVED,
        sender_id=sender.id,
        acted=now - timedelta(days=1),
    )
    back = _notice(
        db,
        host,
        [f"{server}/still-here", f"{server}/404"],
        NoticeStatus.DISABLED,
        sender_id=sender.id,
        acted=now - timedelta(hours=2),
    )
    overdue = _notice(
        db,
        host,
        [f"{server}/still-here"],
        NoticeStatus.SENT,
        sender_id=sender.id,
        due=now - timedelta(minutes=5),
    )
    not_due = _notice(
        db,
        host,
        [f"{server}/still-here"],
        NoticeStatus.RECEIVED,
        sender_id=sender.id,
        due=now + timedelta(hours=5),
    )
    old = _notice(
        db,
        host,
        [f"{server}/still-here"],
        NoticeStatus.REMOVED,
        sender_id=sender.id,
        acted=now - timedelta(days=90),
    )

    s = recheck.run_rechecks(db, checker(), now)
    assert (s.notices, s.urls, s.present, s.gone, s.errors) == (3, 5, 2, 3, 0)
    assert s.verified_gone == [gone.reference] and s.reappeared == [back.reference]
    assert gone.verified_gone_at == now and not gone.reappeared
    assert [u.check_result for u in gone.urls] == ["gone", "gone"]
    assert back.reappeared and back.verified_gone_at is None
    assert overdue.urls[0].check_result == "present" and not overdue.reappeared
    assert not_due.urls[0].checked_at is None and old.urls[0].checked_at is None
    # The sender is told in the app; the notice's timeline records both findings.
    inbox = notify.for_user(db, sender.id)
    assert [n.kind for n in inbox] == ["takedown.reappeared"]
    assert back.reference in inbox[0].subject and "/still-here" in inbox[0].body
    kinds = set(db.scalars(select(NoticeEvent.kind)))
    assert {"verified-gone", "reappeared"} <= kinds

    # Within the interval nothing is fetched again.
    assert recheck.run_rechecks(db, checker(), now + timedelta(hours=1)).urls == 0
    # Later, content the provider removed comes back: flagged, sender told again.
    ROUTES["/410"] = (200, b"back again", {})
    later = now + timedelta(hours=7)
    s = recheck.run_rechecks(db, checker(), later)
    assert s.reappeared == [gone.reference] and gone.reappeared
    assert gone.urls[1].check_result == "present" and gone.urls[1].checked_at == later
    assert len(notify.for_user(db, sender.id)) == 2


def test_the_hourly_job_is_registered() -> None:
    from contactpoint.core import jobs

    spec = jobs.get("takedown.recheck")
    assert spec.cron == "17 * * * *" and spec.func is recheck.recheck_job
