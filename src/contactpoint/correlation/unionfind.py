"""Linking reports into campaigns: an incremental union-find over report ids, joined by
shared indicator keys. Pure: plain values in, plain values out (no database).

Rules (the same in :class:`Correlator` and :func:`components`, so that incremental and full
recompute agree whatever the insertion order):

- an *excluded* key never links;
- a key held by more than ``max_campaigns`` reports is *over-correlating* and never links,
  unless an analyst *lifted* it. Counting holders (each a campaign it could join) rather than
  the campaigns it would join right now keeps the result independent of insertion order.
- manual keys (``"m:..."``, from a merge) are never over-correlating.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

R = TypeVar("R", bound=Hashable)
K = TypeVar("K", bound=Hashable)

MANUAL_PREFIX = "m:"


def is_manual(key: object) -> bool:
    return isinstance(key, str) and key.startswith(MANUAL_PREFIX)


class UnionFind(Generic[R]):
    """Disjoint sets with path compression and union by size; keeps each set's members so a
    component can be taken apart and rebuilt."""

    def __init__(self) -> None:
        self.parent: dict[R, R] = {}
        self.members: dict[R, set[R]] = {}  # root -> members

    def add(self, item: R) -> None:
        if item not in self.parent:
            self.parent[item] = item
            self.members[item] = {item}

    def find(self, item: R) -> R:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: R, b: R) -> R:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        return ra

    def detach(self, items: Iterable[R]) -> None:
        """Make every item of whole components a singleton again (before rebuilding them)."""
        for item in items:
            root = self.find(item)
            for m in self.members.pop(root, set()):
                self.parent[m] = m
                self.members[m] = {m}

    def groups(self) -> list[set[R]]:
        return [set(m) for m in self.members.values()]


def blocked_keys(
    holders: Mapping[K, Iterable[object]],
    excluded: Iterable[K],
    lifted: Iterable[K],
    max_campaigns: int,
) -> set[K]:
    """Keys that do not link: excluded ones and over-correlating ones (not lifted)."""
    lifted_set = set(lifted)
    over = {
        k
        for k, hs in holders.items()
        if len(set(hs)) > max_campaigns and k not in lifted_set and not is_manual(k)
    }
    return set(excluded) | over


def components(reports: Mapping[R, Iterable[K]], blocked: Iterable[K] = ()) -> list[set[R]]:
    """Connected components of reports joined by their keys, skipping ``blocked`` keys.

    Array-based: reports are numbered, each key remembers the first report that held it,
    and a flat ``parent`` list with union by size and path halving joins the rest (about
    four times faster than a dict of objects on a million reports)."""
    skip = blocked if isinstance(blocked, (set, frozenset)) else set(blocked)
    ids = list(reports)
    parent = list(range(len(ids)))
    size = [1] * len(ids)
    first: dict[K, int] = {}
    claim = first.setdefault
    for i, keys in enumerate(reports.values()):
        for k in keys:
            if k in skip:
                continue
            j = claim(k, i)
            if j == i:
                continue
            a = i
            while parent[a] != a:
                parent[a] = a = parent[parent[a]]
            b = j
            while parent[b] != b:
                parent[b] = b = parent[parent[b]]
            if a != b:
                if size[a] < size[b]:
                    a, b = b, a
                parent[b] = a
                size[a] += size[b]
    groups: dict[int, set[R]] = {}
    for i, report in enumerate(ids):
        a = i
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        group = groups.get(a)
        if group is None:
            groups[a] = {report}
        else:
            group.add(report)
    return list(groups.values())


class Correlator(Generic[R, K]):
    """Incremental correlation held in memory."""

    def __init__(self, max_campaigns: int = 20) -> None:
        self.max_campaigns = max_campaigns
        self.uf: UnionFind[R] = UnionFind()
        self.keys: dict[R, set[K]] = {}
        self.holders: dict[K, set[R]] = {}
        self.excluded: set[K] = set()
        self.lifted: set[K] = set()
        self.over: set[K] = set()

    def links(self, key: K) -> bool:
        return key not in self.excluded and key not in self.over

    def add(self, report: R, keys: Iterable[K]) -> None:
        self.uf.add(report)
        mine = self.keys.setdefault(report, set())
        crossed: list[K] = []
        for k in keys:
            if k in mine:
                continue
            mine.add(k)
            hs = self.holders.setdefault(k, set())
            hs.add(report)
            if (
                k not in self.over
                and len(hs) > self.max_campaigns
                and k not in self.lifted
                and not is_manual(k)
            ):
                self.over.add(k)
                crossed.append(k)
            elif self.links(k):
                for other in hs:  # holders of a linking key already share a component
                    if other != report:
                        self.uf.union(other, report)
                        break
        for k in crossed:  # it linked before it crossed the cap: undo that
            self._rebuild(self.holders[k])

    def exclude(self, key: K) -> None:
        self.excluded.add(key)
        self._rebuild(self.holders.get(key, set()))

    def include(self, key: K) -> None:
        self.excluded.discard(key)
        self._link_all(key)

    def lift(self, key: K) -> None:
        """An analyst decides the key is meaningful after all: it links again."""
        self.lifted.add(key)
        self.over.discard(key)
        self._link_all(key)

    def _link_all(self, key: K) -> None:
        hs = list(self.holders.get(key, ()))
        if self.links(key):
            for r in hs[1:]:
                self.uf.union(hs[0], r)

    def _rebuild(self, seeds: Iterable[R]) -> None:
        """Split: take the components of ``seeds`` apart and link them again. Only keys
        that stopped linking trigger this, so every key that still links has all its
        holders inside these components: recomputing them alone is enough."""
        uf = self.uf
        affected: set[R] = set()
        for root in {uf.find(s) for s in seeds}:
            affected |= uf.members.pop(root)
        links = self.links
        regrouped = components({r: [k for k in self.keys[r] if links(k)] for r in affected})
        for group in regrouped:
            root = next(iter(group))
            for m in group:
                uf.parent[m] = root
            uf.members[root] = group

    def campaign_of(self, report: R) -> R:
        return self.uf.find(report)

    def groups(self) -> list[set[R]]:
        return self.uf.groups()
