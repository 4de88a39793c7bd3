"""The export formats of a blocklist version and their diffs (pure).

An export is a pure function of a version's snapshot (its entries and settings), so the
same version always gives the same bytes and the same Ed25519 signature.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from contactpoint.blocking import rpz
from contactpoint.blocking.hashprefix import HashList

FORMATS: dict[str, str] = {
    "rpz": "text/dns",
    "hosts": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "hashes": "text/plain; charset=utf-8",
    "prefixes": "application/octet-stream",
}
CSV_FIELDS = [
    "id",
    "kind",
    "value",
    "category",
    "legal_basis",
    "decision_reference",
    "valid_from",
    "valid_until",
    "redress_url",
]


class ExportEntry(NamedTuple):
    """One entry as a version holds it. A named tuple: a million of them load in a fraction
    of the time frozen dataclasses take, and a tuple is already its JSON row."""

    id: str
    kind: str  # domain, url, ip
    value: str  # punycode domain, canonical URL, or IP address
    host: str  # the domain, the URL's host, or the IP
    block_host: bool  # a URL entry that blocks its whole host (goes to RPZ and hosts)
    category: str
    legal_basis: str
    decision_reference: str
    valid_from: str
    valid_until: str | None
    redress_url: str | None


class Snapshot(NamedTuple):
    """A published version's content: its entries, and the DNS names and addresses they
    block, worked out once at publish so that RPZ and hosts exports only format lines."""

    entries: list[ExportEntry]
    names: list[str]
    ips: list[str]


def make_snapshot(entries: list[ExportEntry]) -> Snapshot:
    names, ips = dns_names(entries)
    return Snapshot(entries, names, ips)


def encode_snapshot(snap: Snapshot) -> bytes:
    """A version's stored form: gzip'd JSON, one column per field. Columns load about four
    times faster than a million small row lists; gzip level 1 is several times faster than
    the default for a little more space."""
    body = {
        "fields": ExportEntry._fields,
        "columns": list(zip(*snap.entries, strict=True)),
        "names": snap.names,
        "ips": snap.ips,
    }
    return gzip.compress(json.dumps(body).encode(), compresslevel=1, mtime=0)


def decode_snapshot(data: bytes) -> Snapshot:
    body = json.loads(gzip.decompress(data))
    if tuple(body["fields"]) != ExportEntry._fields:
        raise ValueError(f"snapshot fields {body['fields']} are not {ExportEntry._fields}")
    entries = list(map(ExportEntry._make, zip(*body["columns"], strict=True)))
    return Snapshot(entries, body["names"], body["ips"])


@dataclass(frozen=True)
class ListMeta:
    country: str
    serial: int
    published_at: datetime
    landing_host: str | None
    wildcard: bool


def _is_ip(host: str) -> bool:
    # Validated domains end in a letter (their public suffix); addresses in a digit or IPv6.
    return host[-1:].isdigit() or ":" in host


def dns_names(entries: list[ExportEntry]) -> tuple[list[str], list[str]]:
    """(names, IPs) that DNS blocking acts on, in entry order without repeats. URL entries
    count only when they block their whole host."""
    # Comprehensions rather than one loop: this runs over every entry of a big list.
    names = dict.fromkeys([e.host for e in entries if e.kind == "domain" or e.block_host])
    ips = dict.fromkeys([e.value for e in entries if e.kind == "ip"])
    for host in [e.host for e in entries if e.block_host and _is_ip(e.host)]:
        names.pop(host, None)  # a URL on a bare address: an rpz-ip trigger, not a name
        ips[host] = None
    return list(names), list(ips)


def hash_expressions(entries: Iterable[ExportEntry]) -> list[str]:
    """Safe Browsing expressions of the entries. URL values are stored canonical, so their
    expression is the URL without its scheme (no second canonicalisation)."""
    out = []
    for e in entries:
        if e.kind == "url":
            out.append(e.value.split("://", 1)[-1])
            if e.block_host:
                out.append(e.host + "/")
        else:
            out.append(e.value + "/")
    return out


def _spec(meta: ListMeta) -> rpz.ZoneSpec:
    return rpz.ZoneSpec(
        rpz.zone_origin(meta.country),
        meta.serial,
        meta.landing_host,
        meta.wildcard,
        meta.published_at,
    )


def _header(meta: ListMeta, what: str) -> list[str]:
    return [
        f"contactpoint blocklist {meta.country} {what}",
        f"serial {meta.serial} published {meta.published_at.isoformat()}",
    ]


def render(fmt: str, content: list[ExportEntry] | Snapshot, meta: ListMeta) -> bytes:
    snap = content if isinstance(content, Snapshot) else make_snapshot(content)
    entries, names, ips = snap
    if fmt == "rpz":
        return rpz.write_rpz(_spec(meta), names, ips).encode()
    if fmt == "hosts":
        head = "".join(f"# {h}\n" for h in _header(meta, "hosts"))
        return (head + "".join([f"0.0.0.0 {n}\n" for n in names])).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in _rows(entries):
            writer.writerow(row)
        return buf.getvalue().encode()
    if fmt == "json":
        body = {
            "country": meta.country,
            "serial": meta.serial,
            "published_at": meta.published_at.isoformat(),
            "entries": list(_rows(entries)),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    hashes = HashList.from_expressions(hash_expressions(entries))
    if fmt == "hashes":
        return hashes.hashes_text(_header(meta, "sha256 full hashes")).encode()
    if fmt == "prefixes":
        return hashes.prefixes_bytes()
    raise KeyError(fmt)


def _rows(entries: Iterable[ExportEntry]) -> Iterable[dict[str, Any]]:
    for e in sorted(entries, key=lambda e: (e.kind, e.value, e.id)):
        row = e._asdict()
        del row["host"], row["block_host"]
        yield row


_HEADER = ("#", ";", "$", "@ ")


def records(fmt: str, data: bytes) -> set[str]:
    """The records of an export that a diff compares (headers and SOA left out)."""
    if fmt == "prefixes":
        return {data[i : i + 4].hex() for i in range(0, len(data), 4)}
    if fmt == "json":
        return {json.dumps(r, sort_keys=True) for r in json.loads(data)["entries"]}
    lines = data.decode().split("\n")
    # Headers (comments, $ORIGIN, SOA, NS; the CSV header row) come first: skip them, then
    # take the rest whole, which is much faster than testing each of a million lines.
    start = 1 if fmt == "csv" else 0
    while start < len(lines) and lines[start].startswith(_HEADER):
        start += 1
    out = set(lines[start:])
    out.discard("")
    return out


def diff(fmt: str, old: bytes, new: bytes) -> tuple[list[str], list[str]]:
    """(added, removed) records between two exports of the same format, sorted."""
    a, b = records(fmt, old), records(fmt, new)
    return sorted(b - a), sorted(a - b)
