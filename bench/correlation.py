"""Correlation benchmark: campaigns over a million reports, beside networkx and scipy.

    make bench
    .venv-bench/bin/python bench/correlation.py [--reports 1000000] [--added 10000] [--seed 2007]

Data: ``training/bulkgen.py`` (the generator behind ``contactpoint scenario generate``),
held in memory. The report-indicator graph is built from the generator's known indicator
keys (``type:normalised value``), not by running extraction over a million texts;
tests/training/test_bulkgen.py checks on a sample that extraction finds exactly these keys.
The engine's rules are applied first, the same for every tool: warninglisted keys are
dropped, and keys held by more than ``--cap`` reports (CONTACTPOINT_CORRELATION_MAX_CAMPAIGNS,
default 20) are over-correlating and do not link (``unionfind.blocked_keys``).

Printed, in the same run on the same graph:

- full recompute: ``unionfind.components`` against networkx ``connected_components`` and
  ``scipy.sparse.csgraph.connected_components`` on the bipartite report-indicator graph.
  Every tool starts from the same ``{report: keys}`` mapping and ends with the campaigns as
  sets of reports; the time includes building its graph (shown apart too). The partitions
  must be equal (asserted). Times are CPU seconds of this process (``time.process_time``),
  so other work on the machine slows every tool alike;
- incremental: ``unionfind.Correlator`` loaded with the reports, then ``--added`` more
  reports added one at a time: p50 / p99 / max per added report, in CPU time and wall clock;
  then its campaigns must equal a full recompute over all reports (asserted);
- linking quality against the generator's ground truth (purity and completeness);
- peak memory (maximum resident set size of the process).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from contactpoint.correlation import unionfind
from contactpoint.training import bulkgen

Reports = dict[int, tuple[str, ...]]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def load(n: int, seed: int) -> tuple[Reports, list[int], set[str]]:
    """Reports as {index: linking keys}, each report's campaign (ground truth), and the
    warninglisted keys that were dropped."""
    gen = bulkgen.Generator(n, seed)
    listed = gen.warninglisted
    reports: Reports = {}
    truth: list[int] = []
    for i, d in enumerate(gen.draw()):
        reports[i] = tuple(k for k in d.keys if k not in listed)
        truth.append(d.campaign)
    return reports, truth, set(listed)


def labels(groups: Iterable[Iterable[int]], n: int) -> list[int]:
    """The smallest member of each report's campaign: equal lists, equal partitions."""
    out = [-1] * n
    for g in groups:
        members = list(g)
        low = min(members)
        for r in members:
            out[r] = low
    return out


# ------------------------------------------------------------------------- peers


def with_networkx(
    reports: Mapping[int, Iterable[str]], blocked: set[str]
) -> tuple[float, list[set[int]]]:
    import networkx as nx

    t = time.process_time()
    g = nx.Graph()
    g.add_nodes_from(reports)  # reports are ints, keys are strings: no clash
    g.add_edges_from((r, k) for r, keys in reports.items() for k in keys if k not in blocked)
    built = time.process_time() - t
    out = [{v for v in comp if isinstance(v, int)} for comp in nx.connected_components(g)]
    return built, out


def with_scipy(
    reports: Mapping[int, Iterable[str]], blocked: set[str]
) -> tuple[float, list[set[int]]]:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    t = time.process_time()
    ids = list(reports)
    n = len(ids)
    index: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, keys in enumerate(reports.values()):
        for k in keys:
            if k in blocked:
                continue
            rows.append(i)
            cols.append(index.setdefault(k, len(index) + n))
    size = n + len(index)
    r, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(size, size)).tocsr()
    built = time.process_time() - t
    _, lab = connected_components(graph, directed=False)
    groups: dict[int, set[int]] = {}
    for i, label in enumerate(lab[:n].tolist()):
        groups.setdefault(label, set()).add(ids[i])
    return built, list(groups.values())


# ------------------------------------------------------------------------- quality


def quality(groups: list[set[int]], truth: list[int]) -> tuple[float, float]:
    """Purity: share of reports in the majority ground-truth campaign of their found
    campaign. Completeness: share of reports (in true campaigns of 2+) that sit with the
    biggest part of their true campaign."""
    n = len(truth)
    lab = labels(groups, n)
    pairs = Counter(zip(lab, truth, strict=True))
    best_of_found: dict[int, int] = {}
    best_of_true: dict[int, int] = {}
    for (found, true), count in pairs.items():
        best_of_found[found] = max(best_of_found.get(found, 0), count)
        best_of_true[true] = max(best_of_true.get(true, 0), count)
    sizes = Counter(truth)
    multi = sum(s for s in sizes.values() if s > 1)
    kept = sum(best_of_true[c] for c, s in sizes.items() if s > 1)
    return sum(best_of_found.values()) / n, kept / multi if multi else 1.0


# ------------------------------------------------------------------------- run


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--added", type=int, default=10_000, help="reports added one by one")
    ap.add_argument("--seed", type=int, default=2007)
    ap.add_argument("--cap", type=int, default=20, help="over-correlation cap (holders)")
    ap.add_argument("--skip-networkx", action="store_true", help="(it needs several GB)")
    args = ap.parse_args(argv)
    n, added = args.reports, args.added

    base = rss_mb()
    took, (everything, truth, listed) = cpu(lambda: load(n + added, args.seed))
    edges = sum(len(k) for k in everything.values())
    print(
        f"generated {n + added:,} reports in {took:.1f} s CPU: {edges:,} report-key links "
        f"after dropping {len(listed):,} warninglisted keys; "
        f"{len(set(truth)):,} true campaigns; +{rss_mb() - base:,.0f} MB"
    )
    reports = {r: everything[r] for r in range(n)}
    later = [(r, everything[r]) for r in range(n, n + added)]

    holders: dict[str, list[int]] = {}
    for r, keys in reports.items():
        for k in keys:
            holders.setdefault(k, []).append(r)
    t = time.process_time()
    blocked = unionfind.blocked_keys(holders, (), (), args.cap)
    took = time.process_time() - t
    print(
        f"{len(holders):,} distinct keys, {len(blocked):,} over-correlating "
        f"(held by more than {args.cap} reports) found in {took:.2f} s"
    )
    del holders

    # ---- full recompute
    print(f"\n== full recompute over {n:,} reports (CPU seconds, same graph, same rules)")
    ours_t, ours = cpu(lambda: unionfind.components(reports, blocked))
    want = labels(ours, n)
    multi = [g for g in ours if len(g) > 1]
    print(
        f"contactpoint unionfind.components  {ours_t:7.2f} s   "
        f"{len(multi):,} campaigns of 2+, largest {max(map(len, multi), default=0):,}"
    )
    times = {"contactpoint": ours_t}
    peers: list[tuple[str, Callable[[], tuple[float, list[set[int]]]]]] = [
        ("scipy csgraph", lambda: with_scipy(reports, blocked))
    ]
    if not args.skip_networkx:
        peers.append(("networkx", lambda: with_networkx(reports, blocked)))
    for name, run in peers:
        try:
            took, (built, groups) = cpu(run)
        except ImportError as exc:
            print(f"{name:34s} not installed ({exc}); run it from .venv-bench")
            continue
        same = labels(groups, n) == want
        times[name] = took
        print(
            f"{name:34s} {took:7.2f} s   (graph build {built:.2f} s, components "
            f"{took - built:.2f} s)   partition equal: {same}"
        )
        assert same, f"{name} found other campaigns"
        del groups
        gc.collect()
    for name, t in times.items():
        if name != "contactpoint":
            print(f"  {name} / contactpoint = {t / ours_t:.2f}x")
    purity, completeness = quality(ours, truth[:n])
    print(
        f"linking against ground truth: purity {purity:.4f}, completeness {completeness:.4f} "
        "(reports kept with the biggest part of their true campaign)"
    )
    del ours

    # ---- incremental
    print(f"\n== incremental: unionfind.Correlator(max_campaigns={args.cap})")
    corr: unionfind.Correlator[int, str] = unionfind.Correlator(max_campaigns=args.cap)
    t = time.process_time()
    for r, keys in reports.items():
        corr.add(r, keys)
    took = time.process_time() - t
    print(f"loaded {n:,} reports one by one in {took:.1f} s ({n / took:,.0f} reports/s)")
    wall: list[float] = []
    used: list[float] = []  # CPU time: what the add costs, whatever else the machine runs
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns
    for r, keys in later:
        t0, c0 = clock(), cpu_clock()
        corr.add(r, keys)
        used.append((cpu_clock() - c0) / 1e6)
        wall.append((clock() - t0) / 1e6)
    for name, per in (("CPU", used), ("wall clock", wall)):
        per.sort()
        p50 = statistics.median(per)
        p99 = per[min(len(per) - 1, int(len(per) * 0.99))]
        print(
            f"{added:,} more reports added one at a time ({name}): p50 {p50:.3f} ms, "
            f"p99 {p99:.3f} ms, max {per[-1]:.2f} ms"
        )
    total = dict(reports)
    total.update(later)
    holders2: dict[str, list[int]] = {}
    for r, keys in total.items():
        for k in keys:
            holders2.setdefault(k, []).append(r)
    full = unionfind.components(total, unionfind.blocked_keys(holders2, (), (), args.cap))
    same = labels(corr.groups(), n + added) == labels(full, n + added)
    print(f"incremental campaigns == full recompute over {n + added:,} reports: {same}")
    assert same
    print(f"\npeak memory (max RSS of the process): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
