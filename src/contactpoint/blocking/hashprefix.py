"""Hash-prefix lists (pure): SHA-256 of Safe Browsing expressions, 4-byte prefixes, and the
in-memory lookup table that answers "is this URL blocked?" without a database.

File forms (all sorted, so two nodes produce the same bytes for the same entries):

- prefixes: the 4-byte prefixes concatenated, raw binary (as Safe Browsing v4 "raw hashes");
- full hashes: one lowercase hex SHA-256 per line;
- checksum: SHA-256 of the sorted full hashes concatenated (Safe Browsing's checksum
  is taken over the sorted list the same way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from contactpoint.blocking.canonical import canonical_expressions, expressions

PREFIX_LEN = 4


def full_hash(expression: str) -> bytes:
    return hashlib.sha256(expression.encode("ascii", "surrogateescape")).digest()


@dataclass(frozen=True)
class HashList:
    full_hashes: list[bytes]  # sorted, unique

    @classmethod
    def from_expressions(cls, exprs: Iterable[str]) -> HashList:
        sha = hashlib.sha256
        return cls(sorted({sha(e.encode("ascii", "surrogateescape")).digest() for e in exprs}))

    @property
    def prefixes(self) -> list[bytes]:
        # Sorted full hashes give sorted prefixes; dict.fromkeys drops repeats, keeps order.
        return list(dict.fromkeys([h[:PREFIX_LEN] for h in self.full_hashes]))

    def prefixes_bytes(self) -> bytes:
        return b"".join(self.prefixes)

    def checksum(self) -> str:
        return hashlib.sha256(b"".join(self.full_hashes)).hexdigest()

    def hashes_text(self, header: list[str] | None = None) -> str:
        lines = [f"# {h}" for h in header or []]
        lines.append(f"# sha256-of-sorted-list {self.checksum()}")
        lines.extend([h.hex() for h in self.full_hashes])
        return "\n".join(lines) + "\n"


@dataclass
class LookupTable:
    """A set of prefixes for the fast negative answer, then a dict to the full hashes and
    what they stand for (an entry id, say). Rebuilt as a whole when the list changes."""

    prefixes: set[bytes] = field(default_factory=set)
    full: dict[bytes, str] = field(default_factory=dict)

    @classmethod
    def build(cls, items: Iterable[tuple[str, str]]) -> LookupTable:
        """``items``: (expression, what it stands for)."""
        table = cls()
        for expr, ref in items:
            h = full_hash(expr)
            table.prefixes.add(h[:PREFIX_LEN])
            table.full[h] = ref
        return table

    def __len__(self) -> int:
        return len(self.full)

    def match_expressions(self, exprs: Iterable[str]) -> list[str]:
        """What the matching expressions stand for (the caller canonicalised already)."""
        out = []
        sha = hashlib.sha256
        prefixes = self.prefixes
        for e in exprs:
            h = sha(e.encode()).digest()  # expressions are ASCII: canonical form
            if h[:PREFIX_LEN] in prefixes:
                ref = self.full.get(h)  # a prefix hit may be a collision; the full hash decides
                if ref is not None:
                    out.append(ref)
        return out

    def lookup(self, url: str | bytes) -> list[str]:
        return self.match_expressions(expressions(url))

    def lookup_canonical(self, url: str) -> list[str]:
        """For a URL already canonicalised (e.g. by a proxy that checks many)."""
        return self.match_expressions(canonical_expressions(url))
