"""Refanging: undo the common ways people "defang" indicators, keeping a position map.

Victims and analysts write `hxxps://evil[.]com`, `user(at)mail(dot)ru`, `example。com` or
fullwidth `ｅｘａｍｐｌｅ．ｃｏｍ`. Extraction runs on the refanged text, and `Refanged.span()`
maps every span back into the original text so highlighting stays exact.

One pass of one regex, linear in the input: bracket runs are possessive and may only start
where no other opening bracket precedes, so a long run of brackets is tried once.
Refanging is idempotent: no replacement can create a new defanged form.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from contactpoint.indicators.domains import is_tld

# Length-preserving, 1:1 character fixes: fullwidth ASCII (U+FF01..U+FF5E) to ASCII, and the
# ideographic / fullwidth / halfwidth full stops to ".". Safer than NFKC over the whole text,
# which would change lengths (ligatures, circled digits) and rewrite words that are no IOC.
_WIDE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDE.update({0x3002: ord("."), 0xFF0E: ord("."), 0xFF61: ord(".")})
_WIDE_RE = re.compile("[\uff01-\uff5e\u3002\uff61]")

_TOKENS = {".": ".", "dot": ".", "at": "@", "@": "@", ":": ":", "/": "/", "://": "://", "//": "//"}

# Each branch starts by consuming a character, and only then looks behind it: the engine
# rejects most positions on that first character instead of evaluating a lookbehind.
_DEFANG_RE = re.compile(
    r"(?P<hxxp>h(?<![a-z0-9]h)(?:xx|\*\*)p(?P<s>s?)(?![a-z0-9]))"
    r"|(?P<fxp>f(?<![a-z0-9]f)xp(?=:|\[:))"
    r"|(?P<br>(?P<sp> )?[\[({](?<![\[({][\[({])[\[({]*+(?P<tok>\.|dot|at|@|://|//|:|/)[\])}]++"
    r"(?(sp) ))"
    r"|(?P<word> (?<=[a-z0-9] )dot (?=(?P<next>[a-z0-9-]{1,63})))",
    re.IGNORECASE,
)
# After the word that follows " dot ": another dot in any form means a dotted name goes on.
_DOT_AFTER = re.compile(r" dot |\.|[\[({]+(?:\.|dot)[\])}]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Refanged:
    """The refanged text and the replacements that produced it (sorted by position).

    Each replacement is (new_start, new_end, old_start, old_end).
    """

    original: str
    text: str
    replacements: tuple[tuple[int, int, int, int], ...] = ()
    starts: tuple[int, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the refanged text to the span of the original text it came from."""
        if not self.replacements:
            return start, end
        starts = self.starts
        o_start = _map(self.replacements, starts, start, at_end=False)
        o_end = _map(self.replacements, starts, end - 1, at_end=True) if end > start else o_start
        return o_start, o_end

    def defanged(self, start: int, end: int) -> bool:
        """Whether any replacement falls inside this span of the refanged text."""
        if not self.replacements:
            return False
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.replacements[i][1] > start


def _map(
    reps: tuple[tuple[int, int, int, int], ...], starts: tuple[int, ...], pos: int, *, at_end: bool
) -> int:
    i = bisect_right(starts, pos) - 1
    if i < 0:
        return pos + 1 if at_end else pos
    _, new_end, old_start, old_end = reps[i]
    if pos < new_end:  # inside a replacement: the whole original form belongs to the span
        return old_end if at_end else old_start
    shifted = old_end + (pos - new_end)
    return shifted + 1 if at_end else shifted


def _maybe_defanged(text: str) -> bool:
    """Plain substring tests (fast C scans) before any regex: most texts have no defanged
    form. True whenever _DEFANG_RE could match, so skipping on False is safe."""
    if "[" in text or "(" in text or "{" in text:
        return True
    low = text.lower()
    return "xx" in low or "**" in low or "fxp" in low or "dot" in low


def refang_map(text: str) -> Refanged:
    """Refang `text`, keeping what is needed to map spans back to it."""
    has_wide = not text.isascii() and _WIDE_RE.search(text) is not None
    work = text.translate(_WIDE) if has_wide else text
    if not has_wide and not _maybe_defanged(work):
        return Refanged(text, text)
    reps: list[tuple[int, int, int, int]] = []
    pieces: list[str] = []
    last = 0
    shift = 0  # len(new) - len(old) so far

    def record(old_s: int, old_e: int, new: str) -> None:
        nonlocal last, shift
        pieces.append(work[last:old_s])
        pieces.append(new)
        new_s = old_s + shift
        reps.append((new_s, new_s + len(new), old_s, old_e))
        shift += len(new) - (old_e - old_s)
        last = old_e

    wide_positions = [m.start() for m in _WIDE_RE.finditer(text)] if has_wide else []
    matches = list(_DEFANG_RE.finditer(work))
    if not matches and not has_wide:
        return Refanged(text, text)
    wi = 0
    for m in matches:
        # Fullwidth characters before this match are 1:1 replacements of their own.
        while wi < len(wide_positions) and wide_positions[wi] < m.start():
            p = wide_positions[wi]
            record(p, p + 1, work[p])
            wi += 1
        while wi < len(wide_positions) and wide_positions[wi] < m.end():
            wi += 1  # covered by this match's own replacement
        if m.group("hxxp"):
            record(m.start(), m.end(), "http" + ("s" if m.group("s") else ""))
        elif m.group("fxp"):
            record(m.start(), m.end(), "ftp")
        elif m.group("br"):
            record(m.start(), m.end(), _TOKENS[m.group("tok").lower()])
        elif _spoken_dot(work, m):
            record(m.start(), m.end(), ".")
    for p in wide_positions[wi:]:
        record(p, p + 1, work[p])
    pieces.append(work[last:])
    return Refanged(text, "".join(pieces), tuple(reps), tuple(r[0] for r in reps))


def _spoken_dot(work: str, m: re.Match[str]) -> bool:
    """ " dot " is a dot only before a top-level domain or another dot ("paypal dot com",
    "a dot b dot net"), so prose such as "the dot was red" stays as written."""
    nxt = m.group("next")
    return is_tld(nxt.lower()) or _DOT_AFTER.match(work, m.end() + len(nxt)) is not None


def refang(text: str) -> str:
    """Refang `text` (idempotent)."""
    return refang_map(text).text
