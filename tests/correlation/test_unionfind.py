"""The incremental engine equals naive connected components, whatever the order."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from contactpoint.correlation.unionfind import Correlator, blocked_keys, components

Reports = dict[int, set[str]]
reports_st = st.dictionaries(
    st.integers(0, 30), st.sets(st.sampled_from("abcdefghij"), max_size=4), max_size=25
)


def naive(reports: Reports, blocked: set[str]) -> set[frozenset[int]]:
    """Breadth-first search over the pairwise "shares a linking key" graph."""
    seen: set[int] = set()
    out: set[frozenset[int]] = set()
    for start in reports:
        if start in seen:
            continue
        comp, todo = {start}, [start]
        while todo:
            r = todo.pop()
            for s, other in reports.items():
                if s not in comp and (reports[r] & other) - blocked:
                    comp.add(s)
                    todo.append(s)
        seen |= comp
        out.add(frozenset(comp))
    return out


def holders(reports: Reports) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for r, keys in reports.items():
        for k in keys:
            out.setdefault(k, set()).add(r)
    return out


def as_set(groups: list[set[int]]) -> set[frozenset[int]]:
    return {frozenset(g) for g in groups}


@settings(max_examples=200, deadline=None)
@given(
    reports_st,
    st.sets(st.sampled_from("abcdefghij")),
    st.sets(st.sampled_from("abcdefghij")),
    st.integers(1, 6),
    st.randoms(),
)
def test_incremental_equals_naive_components(
    reports: Reports, excluded: set[str], lifted: set[str], cap: int, rnd: random.Random
) -> None:
    order = list(reports)
    rnd.shuffle(order)
    c: Correlator[int, str] = Correlator(max_campaigns=cap)
    half = len(order) // 2
    for r in order[:half]:
        c.add(r, reports[r])
    for k in sorted(excluded):  # actions in the middle of intake
        c.exclude(k)
    for k in sorted(lifted):
        c.lift(k)
    for r in order[half:]:
        c.add(r, reports[r])
    blocked = blocked_keys(holders(reports), excluded, lifted, cap)
    assert c.over | c.excluded == blocked
    expected = naive(reports, blocked)
    assert as_set(c.groups()) == expected
    assert as_set(components(reports, blocked)) == expected


def test_over_correlation_stops_linking_at_the_cap_and_lifting_restores() -> None:
    c: Correlator[int, str] = Correlator(max_campaigns=2)
    c.add(1, {"iban"})
    c.add(2, {"iban"})
    assert c.campaign_of(1) == c.campaign_of(2)
    c.add(3, {"iban"})  # a third holder: more than 2 campaigns
    assert "iban" in c.over
    assert len({c.campaign_of(r) for r in (1, 2, 3)}) == 3
    c.lift("iban")
    assert len({c.campaign_of(r) for r in (1, 2, 3)}) == 1


def test_exclusion_splits_and_other_keys_hold() -> None:
    c: Correlator[int, str] = Correlator()
    c.add(1, {"a", "b"})
    c.add(2, {"a"})
    c.add(3, {"b"})
    assert c.campaign_of(2) == c.campaign_of(3)
    c.exclude("a")
    assert c.campaign_of(1) == c.campaign_of(3) != c.campaign_of(2)
    c.include("a")
    assert c.campaign_of(1) == c.campaign_of(2)


def test_manual_keys_never_over_correlate() -> None:
    c: Correlator[int, str] = Correlator(max_campaigns=1)
    c.add(1, {"m:x"})
    c.add(2, {"m:x"})
    assert c.campaign_of(1) == c.campaign_of(2)


def bipartite_bfs(reports: dict[int, set[str]], blocked: set[str]) -> set[frozenset[int]]:
    """Components by breadth-first search over report -> key -> report (linear, for size)."""
    holders: dict[str, list[int]] = {}
    for r, keys in reports.items():
        for k in keys - blocked:
            holders.setdefault(k, []).append(r)
    seen: set[int] = set()
    out: set[frozenset[int]] = set()
    for start in reports:
        if start in seen:
            continue
        comp, todo = {start}, [start]
        while todo:
            for k in reports[todo.pop()] - blocked:
                for other in holders.pop(k, []):
                    if other not in comp:
                        comp.add(other)
                        todo.append(other)
        seen |= comp
        out.add(frozenset(comp))
    return out


def test_larger_graphs_agree_with_search_and_incremental() -> None:
    """Deep trees for path halving and many caps crossing mid-intake."""
    rnd = random.Random(5)
    keys = [f"k{i}" for i in range(800)]
    reports = {r: {rnd.choice(keys[: rnd.randint(1, 800)]) for _ in range(3)} for r in range(2000)}
    for cap in (3, 8, 1000):
        blocked = blocked_keys(holders(reports), {"k7"}, {"k1"}, cap)
        expected = bipartite_bfs(reports, blocked)
        assert as_set(components(reports, blocked)) == expected
        c: Correlator[int, str] = Correlator(max_campaigns=cap)
        c.exclude("k7")
        c.lift("k1")
        for r in rnd.sample(list(reports), len(reports)):
            c.add(r, reports[r])
        assert as_set(c.groups()) == expected
    assert len(expected) < len(reports) / 2  # the cap 1000 run links most reports
