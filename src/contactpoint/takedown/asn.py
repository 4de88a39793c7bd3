"""Offline IP-to-ASN data: the iptoasn.com TSV format, loaded into the provider directory.

No maintained PyPI package ships a current IP-to-ASN table (see docs/formats/ip2asn.md),
so the operator loads the public-domain ``ip2asn-v4.tsv`` / ``ip2asn-combined.tsv(.gz)``
file: one tab-separated line per range ``range_start range_end AS_number country_code
AS_description``. Each AS becomes (or updates) one provider, and each range is split into
CIDRs. A full file (~500k lines) goes in batches: a few queries per batch, never per row.
"""

from __future__ import annotations

import gzip
import ipaddress
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.takedown import directory
from contactpoint.takedown import directory_net as netaddr
from contactpoint.takedown.directory_models import Provider, ProviderKind, ProviderNetwork

UNKNOWN_COUNTRY: Final = "ZZ"  # ISO 3166 user-assigned: the data set says "None"
# A few well-known networks that are not hosting; every other AS is imported as hosting.
KNOWN_KINDS: Final[dict[int, ProviderKind]] = {
    13335: ProviderKind.CDN,  # Cloudflare
    20940: ProviderKind.CDN,  # Akamai
    54113: ProviderKind.CDN,  # Fastly
    15169: ProviderKind.PLATFORM,  # Google
    32934: ProviderKind.PLATFORM,  # Meta
    3320: ProviderKind.ACCESS,  # Deutsche Telekom
    3215: ProviderKind.ACCESS,  # Orange France
    12322: ProviderKind.ACCESS,  # Free
    5410: ProviderKind.ACCESS,  # Bouygues Telecom
    3352: ProviderKind.ACCESS,  # Telefonica Spain
    3269: ProviderKind.ACCESS,  # Telecom Italia
    1136: ProviderKind.ACCESS,  # KPN
    5432: ProviderKind.ACCESS,  # Proximus
}
_CHUNK: Final = 500  # IN-list size: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class AsnRange:
    line: int
    start: netaddr.IPAddress
    end: netaddr.IPAddress
    asn: int
    country: str
    description: str


@dataclass
class AsnImportResult:
    lines: int = 0
    skipped: int = 0  # not routed (AS 0) or outside --only-country
    ases: int = 0
    providers_created: int = 0
    networks_added: int = 0
    networks_moved: int = 0
    networks_unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


MAX_ERRORS_KEPT: Final = 200


# --- parsing (pure) ---------------------------------------------------------------------


def _address(text: str) -> netaddr.IPAddress:
    if text.isdigit():  # the ip2asn-v4-u32.tsv variant: integers
        return ipaddress.IPv4Address(int(text))
    return ipaddress.ip_address(text)


def parse_line(line_no: int, line: str) -> AsnRange | None:
    """One data line, or None for a blank line; ValueError("field: message") otherwise."""
    text = line.rstrip("\r\n")
    if not text.strip() or text.startswith("#"):
        return None
    cols = text.split("\t")
    if len(cols) < 5:
        raise ValueError(f"columns: expected 5 tab-separated columns, got {len(cols)}")
    try:
        start = _address(cols[0].strip())
    except ValueError:
        raise ValueError(f"range_start: {cols[0]!r} is not an IP address") from None
    try:
        end = _address(cols[1].strip())
    except ValueError:
        raise ValueError(f"range_end: {cols[1]!r} is not an IP address") from None
    if start.version != end.version or end < start:  # type: ignore[operator]
        raise ValueError(f"range_end: {end} does not follow {start}")
    asn_text = cols[2].strip().upper().removeprefix("AS")
    if not asn_text.isdigit() or int(asn_text) >= 2**32:
        raise ValueError(f"AS_number: {cols[2]!r} is not an AS number")
    country = cols[3].strip().upper()
    if len(country) != 2 or not country.isalpha():
        country = UNKNOWN_COUNTRY  # "None", "", "Unknown"
    description = "\t".join(cols[4:]).strip() or f"AS{asn_text}"
    return AsnRange(line_no, start, end, int(asn_text), country, description[:180])


def read_ranges(
    lines: Iterable[str], only_countries: set[str] | None, result: AsnImportResult
) -> Iterator[AsnRange]:
    """Good ranges to import; bad lines and skipped ones are counted in `result`."""
    for line_no, line in enumerate(lines, start=1):
        try:
            rng = parse_line(line_no, line)
        except ValueError as exc:
            _add_error(result, line_no, str(exc))
            continue
        if rng is None:
            continue
        result.lines += 1
        if rng.asn == 0 or (only_countries and rng.country not in only_countries):
            result.skipped += 1
            continue
        yield rng


def _add_error(result: AsnImportResult, line: int, text: str) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_ERRORS_KEPT:
        col, _, msg = text.partition(": ")
        result.errors.append({"line": line, "field": col, "message": msg or text})


def cidrs(rng: AsnRange) -> list[netaddr.IPNetwork]:
    return list(ipaddress.summarize_address_range(rng.start, rng.end))


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def batches(items: Iterable[AsnRange], size: int) -> Iterator[list[AsnRange]]:
    batch: list[AsnRange] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


# --- loading ------------------------------------------------------------------------------


class AsnImporter:
    """Keeps AS -> provider across batches, so each AS is looked up or created once."""

    def __init__(self, result: AsnImportResult) -> None:
        self.result = result
        self.provider_of: dict[int, uuid.UUID] = {}

    def add_batch(self, session: Session, ranges: list[AsnRange]) -> None:
        self._providers_for(session, ranges)
        wanted: dict[str, tuple[netaddr.IPNetwork, int]] = {}
        for rng in ranges:
            for net in cidrs(rng):
                wanted[str(net)] = (net, rng.asn)
        existing: dict[str, tuple[uuid.UUID, uuid.UUID, int | None]] = {}
        for chunk in _chunks(list(wanted)):
            for row in session.execute(
                select(
                    ProviderNetwork.cidr,
                    ProviderNetwork.id,
                    ProviderNetwork.provider_id,
                    ProviderNetwork.asn,
                ).where(ProviderNetwork.cidr.in_(chunk))
            ):
                existing[row[0]] = (row[1], row[2], row[3])
        new_rows: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        for cidr, (net, asn) in wanted.items():
            provider_id = self.provider_of[asn]
            found = existing.get(cidr)
            if found is None:
                start, end = netaddr.bounds(net)
                new_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "provider_id": provider_id,
                        "cidr": cidr,
                        "asn": asn,
                        "range_start": start,
                        "range_end": end,
                        "prefix_len": net.prefixlen,
                    }
                )
            elif found[2] != asn:  # the range changed hands since the last load
                moves.append({"id": found[0], "provider_id": provider_id, "asn": asn})
            else:
                self.result.networks_unchanged += 1
        if new_rows:
            session.execute(insert(ProviderNetwork), new_rows)
        if moves:
            session.execute(update(ProviderNetwork), moves)
        self.result.networks_added += len(new_rows)
        self.result.networks_moved += len(moves)
        session.flush()

    def _providers_for(self, session: Session, ranges: list[AsnRange]) -> None:
        first: dict[int, AsnRange] = {}
        for rng in ranges:
            if rng.asn not in self.provider_of:
                first.setdefault(rng.asn, rng)
        if not first:
            return
        # An AS already in the directory keeps its provider (the one with most of its ranges).
        counts: Counter[tuple[int | None, uuid.UUID]] = Counter()
        for chunk in _chunks(list(first)):
            for asn, pid, n in session.execute(
                select(ProviderNetwork.asn, ProviderNetwork.provider_id, func.count())
                .where(ProviderNetwork.asn.in_(chunk))
                .group_by(ProviderNetwork.asn, ProviderNetwork.provider_id)
            ):
                counts[(asn, pid)] = n
        for (asn, pid), _n in sorted(counts.items(), key=lambda kv: kv[1]):
            if asn is not None:
                self.provider_of[asn] = pid  # the largest count is set last
        fresh = [rng for asn, rng in first.items() if asn not in self.provider_of]
        self.result.ases += len(first)
        if not fresh:
            return
        names = {r.description for r in fresh} | {_as_name(r) for r in fresh}
        taken: dict[str, uuid.UUID] = {}
        for chunk in _chunks(sorted(names)):
            for name, pid in session.execute(
                select(Provider.name, Provider.id).where(Provider.name.in_(chunk))
            ):
                taken[name] = pid
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for rng in fresh:
            # "desc (ASn)" is this AS's own provider from an earlier run with no ranges left.
            if _as_name(rng) in taken:
                self.provider_of[rng.asn] = taken[_as_name(rng)]
                continue
            name = rng.description if rng.description not in taken else _as_name(rng)
            pid = uuid.uuid4()
            taken[name] = pid
            self.provider_of[rng.asn] = pid
            rows.append(
                {
                    "id": pid,
                    "name": name,
                    "kind": KNOWN_KINDS.get(rng.asn, ProviderKind.HOSTING),
                    "country": rng.country,
                    "notes": f"AS{rng.asn}, from the IP-to-ASN data set",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if rows:
            session.execute(insert(Provider), rows)
            self.result.providers_created += len(rows)


def _as_name(rng: AsnRange) -> str:
    return f"{rng.description} (AS{rng.asn})"


def import_asn(
    session: Session,
    actor: Actor,
    lines: Iterable[str],
    *,
    only_countries: Iterable[str] = (),
    batch_size: int = 5000,
    on_batch: Callable[[AsnImportResult], None] | None = None,
) -> AsnImportResult:
    """Load an iptoasn.com TSV; `on_batch` runs after each flushed batch (the CLI commits
    there, so a full file is resumable: a rerun skips what is already in)."""
    directory.require_edit(actor)
    result = AsnImportResult()
    wanted = {c.strip().upper() for c in only_countries if c.strip()} or None
    importer = AsnImporter(result)
    for batch in batches(read_ranges(lines, wanted, result), batch_size):
        importer.add_batch(session, batch)
        if on_batch is not None:
            on_batch(result)
    audit.record(
        session,
        actor,
        "takedown.providers.asn_imported",
        object_type="takedown_provider",
        details={k: v for k, v in result.as_dict().items() if k != "errors"}
        | {"only_countries": sorted(wanted or [])},
    )
    return result
