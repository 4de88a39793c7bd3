"""Blocklist benchmark: exports, diffs and URL lookups on a million entries.

    make bench
    .venv-bench/bin/python bench/blocklist.py [--entries 1000000] [--lookups 200000] [--seed 7]

Synthetic, seeded list: 70 % domains, 30 % URLs (a tenth of them block their whole host).
Printed beside its peers, in the same process on the same data:

- export time of RPZ, hosts and hash-prefix (sorted 4-byte prefixes and full hashes), against
  the limit: writing the very same finished lines with plain ``file.write`` calls, one per
  line (one write of the joined text is shown too); for the hash-prefix list also against
  hashing the same expressions with hashlib and writing them unsorted;
- all times are CPU seconds of this process (``time.process_time``), best of 3 where
  marked, so a busy machine slows both sides alike;
- the diff of two versions that differ by 1 % (half removed, half added), against a plain
  Python set difference of already-split lines;
- lookups/s of canonical URLs through the in-memory hash-prefix table (Safe Browsing
  expressions, SHA-256, prefix set, full-hash check), and end to end from raw URLs (with
  canonicalisation), against ``url in set`` of a plain Python set of the full URLs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import string
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contactpoint.blocking import writers
from contactpoint.blocking.canonical import canonicalize
from contactpoint.blocking.hashprefix import LookupTable
from contactpoint.blocking.writers import ExportEntry, ListMeta

TLDS = ["com", "net", "org", "fr", "de", "it", "nl", "pl", "es", "eu", "shop", "xyz"]
WHEN = datetime(2026, 11, 28, tzinfo=UTC)


def _word(rng: random.Random, lo: int = 4, hi: int = 12) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(lo, hi)))


def make_entries(n: int, rng: random.Random, start: int = 0) -> list[ExportEntry]:
    out = []
    for i in range(start, start + n):
        domain = f"{_word(rng)}-{i}.{rng.choice(TLDS)}"
        if rng.random() < 0.7:
            kind, value, host, whole = "domain", domain, domain, False
        else:
            path = "/".join(_word(rng, 2, 8) for _ in range(rng.randint(1, 3)))
            host = f"www.{domain}" if rng.random() < 0.5 else domain
            kind, value, whole = "url", f"http://{host}/{path}.html", rng.random() < 0.1
        out.append(
            ExportEntry(
                id=f"e{i}",
                kind=kind,
                value=value,
                host=host,
                block_host=whole,
                category="fraud",
                legal_basis="L",
                decision_reference=f"D{i}",
                valid_from="2026-01-01T00:00:00+00:00",
                valid_until=None,
                redress_url=None,
            )
        )
    return out


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best CPU time of this process (user + system) over ``repeat`` runs. CPU time, not wall
    time, so that other work on a shared machine does not count against either side."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
    return best, result


def write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def plain_lines_write(path: Path, lines: list[str]) -> None:
    """The limit: the finished lines, one plain write each (buffered by Python's io)."""
    with open(path, "w") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")


def one_write(path: Path, lines: list[str]) -> None:
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def row(label: str, ours: float, peer: float, unit: str = "s") -> None:
    print(
        f"  {label:<44} {ours:>9.3f} {unit}   peer {peer:>9.3f} {unit}   ratio {ours / peer:>6.2f}x"
    )


def bench_exports(entries: list[ExportEntry], tmp: Path) -> dict[str, bytes]:
    meta = ListMeta("FR", 42, WHEN, None, True)
    print(
        "Exports (best of 3; ours renders from the snapshot's entries and writes the file; "
        "peer writes the same finished lines, one write per line)"
    )
    # What publishing stores once per version: the entries and the DNS names they block.
    t_snap, snap = timed(lambda: writers.make_snapshot(entries))
    outputs: dict[str, bytes] = {}
    for fmt in ("rpz", "hosts", "hashes", "prefixes"):
        path = tmp / f"out.{fmt}"
        t_ours, data = timed(lambda fmt=fmt, path=path: _render_write(fmt, snap, meta, path), 3)
        outputs[fmt] = data
        if fmt == "prefixes":
            chunks = [data[i : i + 4] for i in range(0, len(data), 4)]

            def peer(path: Path = path, chunks: list[bytes] = chunks) -> None:
                with open(path, "wb") as fh:
                    for c in chunks:
                        fh.write(c)

            t_peer, _ = timed(peer, 3)
            t_one = timed(lambda path=path, data=data: write_file(path, data), 3)[0]
        else:
            lines = data.decode().splitlines()
            t_peer, _ = timed(lambda path=path, lines=lines: plain_lines_write(path, lines), 3)
            t_one = timed(lambda path=path, lines=lines: one_write(path, lines), 3)[0]
        row(f"{fmt} ({len(data) / 2**20:.1f} MiB)", t_ours, t_peer)
        print(
            f"  {'':<44} (one write of the joined lines: {t_one:.3f} s, "
            f"ratio {t_ours / t_one:.1f}x)"
        )
    t_enc, blob = timed(lambda: writers.encode_snapshot(snap))
    t_dec, _ = timed(lambda: writers.decode_snapshot(blob))
    print(
        f"  at publish: DNS names picked out in {t_snap:.2f} s, snapshot "
        f"({len(blob) / 2**20:.1f} MiB gzip'd JSON) stored in {t_enc:.2f} s; "
        f"decoded once per version (then cached) in {t_dec:.2f} s"
    )
    exprs = writers.hash_expressions(entries)

    def hash_and_write() -> None:
        sha = hashlib.sha256
        with open(tmp / "peer.hashes", "w") as fh:
            fh.write("\n".join(sha(e.encode()).hexdigest() for e in exprs))

    t_peer, _ = timed(hash_and_write, 3)
    t_ours, _ = timed(lambda: _render_write("hashes", snap, meta, tmp / "o.hashes"), 1)
    row("hashes vs hashlib + unsorted write", t_ours, t_peer)
    return outputs


def _render_write(fmt: str, snap: writers.Snapshot, meta: ListMeta, path: Path) -> bytes:
    data = writers.render(fmt, snap, meta)
    write_file(path, data)
    return data


def bench_diff(entries: list[ExportEntry], rng: random.Random) -> None:
    n = len(entries)
    change = max(2, n // 100)
    drop = set(rng.sample(range(n), change // 2))
    new = [e for i, e in enumerate(entries) if i not in drop]
    new += make_entries(change // 2, rng, start=n)
    print(f"Diff of two versions, {change:,} changes (1 %)")
    for fmt in ("rpz", "hosts", "hashes"):
        old_b = writers.render(fmt, entries, ListMeta("FR", 1, WHEN, None, True))
        new_b = writers.render(fmt, new, ListMeta("FR", 2, WHEN, None, True))
        t_ours, (added, removed) = timed(lambda f=fmt, a=old_b, b=new_b: writers.diff(f, a, b), 3)
        a_lines, b_lines = old_b.decode().splitlines(), new_b.decode().splitlines()
        t_peer, _ = timed(lambda a=a_lines, b=b_lines: (set(b) - set(a), set(a) - set(b)), 3)
        row(f"{fmt} (+{len(added):,} / -{len(removed):,})", t_ours, t_peer)


def bench_lookups(entries: list[ExportEntry], count: int, rng: random.Random) -> None:
    t_build, table = timed(
        lambda: LookupTable.build((x, e.id) for e in entries for x in writers.hash_expressions([e]))
    )
    print(
        f"Lookups ({count:,} URLs, half of them blocked; table of {len(table):,} hashes "
        f"built in {t_build:.2f} s)"
    )
    raw: list[str] = []
    for _ in range(count):
        e = rng.choice(entries)
        if rng.random() < 0.5:  # blocked: the entry itself, or a page under a blocked domain
            raw.append(e.value if e.kind == "url" else f"HTTP://www.{e.host}/a/b.html?x=1")
        else:
            raw.append(f"http://{_word(rng)}.{rng.choice(TLDS)}/{_word(rng)}/index.html")
    canon = [canonicalize(u) for u in raw]
    plain = {canonicalize(e.value if e.kind == "url" else f"http://{e.host}/") for e in entries}

    def ours_canonical() -> int:
        hits = 0
        for u in canon:
            if table.lookup_canonical(u):
                hits += 1
        return hits

    def ours_raw() -> int:
        return sum(1 for u in raw if table.lookup(u))

    def peer() -> int:
        return sum(1 for u in canon if u in plain)

    t_c, hits = timed(ours_canonical)
    t_r, _ = timed(ours_raw)
    t_p, peer_hits = timed(peer)
    row("canonical URLs, hash-prefix table", count / t_c, count / t_p, "/s")
    row("raw URLs incl. canonicalisation", count / t_r, count / t_p, "/s")
    print(
        f"  hits: hash-prefix table {hits:,}, plain set {peer_hits:,} (the set sees only "
        "exact URLs, not pages under a blocked domain)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    entries = make_entries(args.entries, rng)
    print(
        f"blocklist benchmark: {args.entries:,} entries (seed {args.seed}, made in "
        f"{time.perf_counter() - t0:.1f} s), one core, Python {os.sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bench_exports(entries, Path(tmp))
    bench_diff(entries, rng)
    bench_lookups(entries, args.lookups, rng)


if __name__ == "__main__":
    main()
