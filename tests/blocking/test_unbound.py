"""Interoperability: our RPZ loaded by a real resolver (Debian's unbound).

Unbound answers the unblocked test names from an ``auth-zone`` with ``for-upstream: yes``
(its ``local-zone`` answers are not filtered by RPZ), with ``module-config: "respip validator
iterator"``. It never reaches the network: no root hints are used because every name asked
is either caught by the RPZ or served by the auth-zone, and the root is a stub pointing at a
closed loopback port, so a stray query fails locally.

Skipped when unbound is not installed, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from contactpoint.blocking import writers
from contactpoint.blocking.writers import ExportEntry, ListMeta

UNBOUND = shutil.which("unbound") or (
    "/usr/sbin/unbound" if Path("/usr/sbin/unbound").exists() else None
)

TEST_ZONE = """$ORIGIN example.com.
$TTL 60
@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 60
@ IN NS ns.example.com.
ns IN A 192.0.2.1
ok IN A 192.0.2.10
blocked IN A 192.0.2.66
wild IN A 192.0.2.67
sub.wild IN A 192.0.2.68
www.partial IN A 192.0.2.69
landing IN A 192.0.2.70
stop IN A 192.0.2.80
ipblocked IN A 185.199.108.153
"""


def _entry(kind: str, value: str) -> ExportEntry:
    return ExportEntry(
        id=value,
        kind=kind,
        value=value,
        host=value,
        block_host=False,
        category="fraud",
        legal_basis="L",
        decision_reference="D",
        valid_from="2026-01-01T00:00:00+00:00",
        valid_until=None,
        redress_url=None,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def resolver(tmp_path: Path) -> Iterator[int]:
    if UNBOUND is None:
        if os.environ.get("CI") == "true":
            pytest.fail("unbound is not installed; .ci/run installs it (apt-get install unbound)")
        pytest.skip("unbound is not installed (apt-get install unbound)")
    when = datetime(2026, 11, 28, tzinfo=UTC)
    fr = writers.render(
        "rpz",
        [
            _entry("domain", "blocked.example.com"),
            _entry("domain", "wild.example.com"),
            _entry("ip", "185.199.108.153"),
        ],
        ListMeta("FR", 7, when, None, True),
    )
    de = writers.render(
        "rpz",
        [_entry("domain", "landing.example.com")],
        ListMeta("DE", 3, when, "stop.example.com", False),
    )
    (tmp_path / "fr.rpz").write_bytes(fr)
    (tmp_path / "de.rpz").write_bytes(de)
    (tmp_path / "example.com.zone").write_text(TEST_ZONE)
    port = _free_port()
    conf = tmp_path / "unbound.conf"
    conf.write_text(f"""
server:
  interface: 127.0.0.1
  port: {port}
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 1
  chroot: ""
  username: ""
  directory: "{tmp_path}"
  pidfile: "{tmp_path}/unbound.pid"
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "respip validator iterator"
  qname-minimisation: no
  outgoing-range: 32
  infra-host-ttl: 5
  so-reuseport: no

rpz:
  name: "fr.rpz.contactpoint."
  zonefile: "{tmp_path}/fr.rpz"

rpz:
  name: "de.rpz.contactpoint."
  zonefile: "{tmp_path}/de.rpz"

# Anything else would go to the root servers: send it to a closed local port instead.
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@{_free_port()}

auth-zone:
  name: "example.com."
  zonefile: "{tmp_path}/example.com.zone"
  for-upstream: yes
  for-downstream: no
  fallback-enabled: no
""")
    check = subprocess.run([UNBOUND + "-checkconf", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    proc = subprocess.Popen(
        [UNBOUND, "-d", "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                _ask(port, "ok.example.com.")
                break
            except (dns.exception.Timeout, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    out = proc.communicate()[0]
                    pytest.fail(f"unbound did not start:\n{out}")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _ask(port: int, name: str) -> dns.message.Message:
    query = dns.message.make_query(name, dns.rdatatype.A)
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=1.5)


def _addresses(resp: dns.message.Message) -> set[str]:
    return {r.address for rrset in resp.answer if rrset.rdtype == dns.rdatatype.A for r in rrset}


def test_unbound_applies_our_rpz(resolver: int) -> None:
    ok = _ask(resolver, "ok.example.com.")
    assert ok.rcode() == dns.rcode.NOERROR and _addresses(ok) == {"192.0.2.10"}
    assert _ask(resolver, "blocked.example.com.").rcode() == dns.rcode.NXDOMAIN
    # The wildcard blocks the whole domain, its subdomains included.
    assert _ask(resolver, "wild.example.com.").rcode() == dns.rcode.NXDOMAIN
    assert _ask(resolver, "sub.wild.example.com.").rcode() == dns.rcode.NXDOMAIN
    # A name that only looks alike is not blocked.
    assert _addresses(_ask(resolver, "www.partial.example.com.")) == {"192.0.2.69"}
    # The landing list answers with a CNAME to the stop page host.
    landing = _ask(resolver, "landing.example.com.")
    cnames = [
        str(r.target) for rr in landing.answer if rr.rdtype == dns.rdatatype.CNAME for r in rr
    ]
    assert cnames == ["stop.example.com."], landing.to_text()


def test_unbound_applies_rpz_ip_triggers(resolver: int) -> None:
    # An answer with a blocked address is rewritten (rpz-ip trigger, respip module).
    resp = _ask(resolver, "ipblocked.example.com.")
    assert resp.rcode() == dns.rcode.NXDOMAIN, resp.to_text()
    assert "185.199.108.153" not in _addresses(resp)
