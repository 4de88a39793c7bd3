"""The re-check job: is the content a provider says it removed really gone, and does it stay so?

A ``Checker`` looks at one URL and says present, gone or error. ``HttpChecker`` (the
default) fetches it with httpx: 404, 410, 451 and an unknown host are gone, a 2xx answer
with content is present, anything else is an error (looked at again next run). It never
connects to private or reserved addresses, through a redirect or a DNS answer either.

``run_rechecks`` goes over the notices the provider marked removed or disabled (within
``window`` of the action) and the open ones past due, writes each URL's result, sets
``verified_gone_at`` when every URL is gone, and flags ``reappeared`` (telling the sender)
when a URL reported removed is present again.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from contactpoint.accounts.models import User
from contactpoint.core import notify
from contactpoint.core.actor import SYSTEM
from contactpoint.core.db import utcnow
from contactpoint.core.jobs import job
from contactpoint.takedown import directory_net
from contactpoint.takedown.models import Notice, NoticeStatus, NoticeUrl

State = Literal["present", "gone", "error"]
GONE_STATUSES = frozenset({404, 410, 451})
ACTED = (NoticeStatus.REMOVED, NoticeStatus.DISABLED)
OPEN = (NoticeStatus.SENT, NoticeStatus.RECEIVED)


@dataclass(frozen=True)
class CheckResult:
    state: State
    detail: str = ""

    def stored(self) -> str:
        """The form kept in NoticeUrl.check_result: "present", "gone" or "error: ..."."""
        if self.state == "error":
            return f"error: {self.detail}"[:200]
        return self.state


class Checker(Protocol):
    def check(self, url: str) -> CheckResult: ...


AddressLookup = Callable[[str], list[str]]


def _system_lookup(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(i[4][0]) for i in infos))


class HttpChecker:
    """Fetch a URL without following redirects blindly: each hop's host is resolved and
    refused when it points at a private address (unless ``allow_private``, or the address
    is in one of the ``allow`` networks: tests and closed exercises)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_redirects: int = 5,
        max_bytes: int = 65536,
        allow_private: bool = False,
        allow: Iterable[str] = (),
        lookup: AddressLookup = _system_lookup,
        user_agent: str = "contactpoint-recheck/1 (takedown verification)",
    ) -> None:
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        # Private networks that may still be fetched (a test server, an exercise range).
        self.allow = tuple(ipaddress.ip_network(n) for n in allow)
        self.lookup = lookup
        self.headers = {"user-agent": user_agent, "accept": "*/*"}

    def _vet(self, url: str) -> CheckResult | str:
        """The address to connect to for `url`, or the result when it must not be fetched
        (a host that does not resolve is gone; a private address is refused)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return CheckResult("error", f"not an http(s) URL: {url[:100]}")
        host = parts.hostname
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in self.lookup(host)]
            except (OSError, UnicodeError, ValueError):
                return CheckResult("gone", f"DNS: {host} does not resolve")
            if not addresses:
                return CheckResult("gone", f"DNS: {host} has no address")
        for addr in addresses:
            if addr.version == 6 and addr.ipv4_mapped is not None:
                addr = addr.ipv4_mapped
            allowed = self.allow_private or any(
                addr.version == n.version and addr in n for n in self.allow
            )
            if not directory_net.is_public(addr) and not allowed:
                return CheckResult("error", f"refused: {host} points at {addr}")
        return str(addresses[0])

    def _pinned(self, url: str, ip: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """The request to the vetted address: the URL names the IP, the Host header and the
        TLS server name keep the host, so a second DNS answer (rebinding) cannot redirect
        the connection to another address."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc_ip = f"[{ip}]" if ":" in ip else ip
        port = f":{parts.port}" if parts.port else ""
        target = parts._replace(netloc=f"{netloc_ip}{port}").geturl()
        host_header = f"[{host}]" if ":" in host else host
        return target, {"host": host_header + port}, {"sni_hostname": host}

    def check(self, url: str) -> CheckResult:
        current = url
        with httpx.Client(
            timeout=self.timeout, follow_redirects=False, headers=self.headers
        ) as client:
            for _hop in range(self.max_redirects + 1):
                vetted = self._vet(current)
                if isinstance(vetted, CheckResult):
                    return vetted
                target, headers, extensions = self._pinned(current, vetted)
                try:
                    request = client.build_request(
                        "GET", target, headers=headers, extensions=extensions
                    )
                    resp = client.send(request, stream=True)
                    try:
                        if resp.is_redirect and "location" in resp.headers:
                            current = urljoin(current, resp.headers["location"])
                            continue
                        return self._judge(resp)
                    finally:
                        resp.close()
                except httpx.TimeoutException:
                    return CheckResult("error", "timeout")
                except httpx.HTTPError as exc:
                    return CheckResult("error", f"{type(exc).__name__}: {exc}"[:150])
        return CheckResult("error", f"more than {self.max_redirects} redirects")

    def _judge(self, resp: httpx.Response) -> CheckResult:
        if resp.status_code in GONE_STATUSES:
            return CheckResult("gone", f"HTTP {resp.status_code}")
        if not 200 <= resp.status_code < 300:
            return CheckResult("error", f"HTTP {resp.status_code}")
        body = b""
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) >= self.max_bytes:
                break
        if not body.strip():
            return CheckResult("gone", f"HTTP {resp.status_code} with an empty body")
        return CheckResult("present", f"HTTP {resp.status_code}, {len(body)}+ bytes")


# --- the run ------------------------------------------------------------------------------


@dataclass
class RecheckSummary:
    notices: int = 0
    urls: int = 0
    present: int = 0
    gone: int = 0
    errors: int = 0
    verified_gone: list[str] = field(default_factory=list)  # references
    reappeared: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def due_notices(
    session: Session, now: datetime, *, window: timedelta, interval: timedelta, limit: int
) -> list[Notice]:
    """Notices to look at: acted on within `window`, or open past due; with a URL not
    checked within `interval`. Least recently checked first."""
    stale = or_(NoticeUrl.checked_at.is_(None), NoticeUrl.checked_at < now - interval)
    ids = select(NoticeUrl.notice_id).where(stale)
    stmt = (
        select(Notice)
        .where(
            Notice.id.in_(ids),
            Notice.reappeared.is_(False),
            or_(
                Notice.status.in_(ACTED) & (Notice.acted_at >= now - window),
                Notice.status.in_(OPEN) & (Notice.due_at < now),
            ),
        )
        .options(selectinload(Notice.urls))
        .order_by(Notice.sent_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def run_rechecks(
    session: Session,
    checker: Checker,
    now: datetime,
    *,
    window: timedelta = timedelta(days=30),
    interval: timedelta = timedelta(hours=6),
    limit: int = 200,
) -> RecheckSummary:
    """Check the due notices' URLs and record what was seen; never commits."""
    summary = RecheckSummary()
    for notice in due_notices(session, now, window=window, interval=interval, limit=limit):
        summary.notices += 1
        present: list[str] = []
        for u in notice.urls:
            if u.checked_at is not None and u.checked_at >= now - interval:
                continue
            result = checker.check(u.url)
            u.check_result, u.checked_at = result.stored(), now
            summary.urls += 1
            if result.state == "present":
                summary.present += 1
                present.append(u.url)
            elif result.state == "gone":
                summary.gone += 1
            else:
                summary.errors += 1
        session.flush()
        if notice.status not in ACTED:
            continue  # an open notice: the results are shown; the provider must still act
        if present:
            _reappeared(session, notice, present, now)
            summary.reappeared.append(notice.reference)
        elif notice.verified_gone_at is None and all(u.check_result == "gone" for u in notice.urls):
            notice.verified_gone_at = now
            _record(session, notice, "verified-gone", {"urls": len(notice.urls)})
            summary.verified_gone.append(notice.reference)
    session.flush()
    return summary


def _record(session: Session, notice: Notice, kind: str, detail: dict[str, object]) -> None:
    # The notice's own timeline (and its audit entry) through the lifecycle service.
    from contactpoint.takedown import service

    service.record_event(session, SYSTEM, notice, kind, detail)


def _reappeared(session: Session, notice: Notice, urls: list[str], now: datetime) -> None:
    notice.reappeared = True
    _record(session, notice, "reappeared", {"urls": urls[:20]})
    sender = session.get(User, notice.created_by_id) if notice.created_by_id else None
    if sender is None or not sender.active:
        return
    notify.notify(
        session,
        [notify.Addressee(sender.id, sender.email)],
        kind="takedown.reappeared",
        subject=f"{notice.reference}: content is back online",
        body=f"{len(urls)} URL(s) that {notice.reference} reported removed answered again on "
        f"{now:%Y-%m-%d %H:%M} UTC: " + ", ".join(urls[:5]),
        link=f"/takedown/notices/{notice.id}",
    )


@job("takedown.recheck", cron="17 * * * *", retries=1)
def recheck_job(session: Session) -> dict[str, object]:
    """Every hour: look again at the URLs of notices acted on or overdue."""
    return run_rechecks(session, HttpChecker(), utcnow()).as_dict()
