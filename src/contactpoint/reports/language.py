"""Language of a report's text: py3langid's model and answers, its byte walk in numpy, and
the description's language with its indicators left out (:func:`detect_language`).

py3langid counts its byte n-gram features by walking a DFA one byte at a time in Python.
That walk was most of its time, and language detection a quarter of a bulk import's
extraction. Here a description takes about half the time (0.11 ms against 0.21 ms).

The DFA recognises n-grams of at most ``depth`` bytes, so the state after byte ``i`` is the
state reached from the start over bytes ``i - depth + 1 .. i`` alone: every position can
take its ``depth`` steps at once, as array operations.

:func:`classify` returns what ``py3langid.classify`` returns, for the same model (the
tests compare them on texts in every scenario language). It reads the identifier's model
arrays, some of them private, so ``pyproject.toml`` keeps py3langid below its next minor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import py3langid
from py3langid.langid import RAW_FLOOR, LanguageIdentifier

from contactpoint.core import warmup
from contactpoint.indicators.service import DESCRIPTION, Found


@dataclass(frozen=True)
class _Model:
    identifier: LanguageIdentifier
    nextmove: npt.NDArray[np.unsignedinteger[Any]]  # a view of py3langid's array
    rowbase: npt.NDArray[np.intp]
    output: npt.NDArray[np.intp]
    depth: int
    # py3langid's table is float16, which numpy multiplies by first converting each
    # gathered row: converted once here (57 MB), the same float32 values and scores, and
    # the product runs in BLAS.
    table: npt.NDArray[np.float32]


@cache
def _model() -> _Model:
    ident = py3langid.langid._get_identifier()
    nextmove = np.asarray(ident.tk_nextmove)  # its own unsigned type, no copy
    rowbase = np.asarray(ident._rowbase, dtype=np.intp)
    return _Model(
        ident,
        nextmove,
        rowbase,
        np.asarray(ident.tk_output, dtype=np.intp),
        _depth(nextmove, rowbase),
        np.asarray(ident.nb_ptc, dtype=np.float32),
    )


def _depth(nextmove: npt.NDArray[np.unsignedinteger[Any]], rowbase: npt.NDArray[np.intp]) -> int:
    """The longest n-gram the DFA tracks: the deepest state, breadth first from the start
    (each state's shortest way in is its own n-gram)."""
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier = np.array([0], dtype=np.intp)
    depth = 0
    while True:
        reached = np.zeros(len(rowbase), dtype=bool)  # a mask, not a sort: 13M targets
        reached[nextmove[(rowbase[frontier][:, None] + np.arange(256)).ravel()]] = True
        frontier = np.flatnonzero(reached & ~seen)
        if not len(frontier):
            return depth
        seen[frontier] = True
        depth += 1


def _states(m: _Model, data: bytes) -> npt.NDArray[np.intp]:
    """The DFA state after each byte of ``data``."""
    b = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
    n = len(b)
    states = np.zeros(n, dtype=np.intp)
    # Step j feeds each position i the byte i - lag, lag = depth-1 .. 0; positions closer
    # than lag to the start wait at the start state, where the walk over the text began.
    for lag in range(min(m.depth, n) - 1, -1, -1):
        tail = states[lag:]
        states[lag:] = m.nextmove[m.rowbase[tail] + b[: n - lag]]
    return states


def _states_many(
    m: _Model, data: list[bytes], lengths: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """:func:`_states` of each of ``data`` (``lengths`` long), concatenated: one walk over
    all the texts, in which a position takes only the steps that stay inside its own text."""
    b = np.frombuffer(b"".join(data), dtype=np.uint8).astype(np.intp)
    n = len(b)
    starts = np.cumsum(lengths) - lengths
    offset = np.arange(n, dtype=np.intp) - np.repeat(starts, lengths)  # within its text
    states = np.zeros(n, dtype=np.intp)
    for lag in range(min(m.depth, n) - 1, -1, -1):
        at = np.flatnonzero(offset >= lag)
        states[at] = m.nextmove[m.rowbase[states[at]] + b[at - lag]]
    return states


def classify_many(texts: list[str]) -> list[tuple[str, float]]:
    """:func:`classify` of each text, the same answers; the byte walk and the feature
    counting run once over all of them, and only the product with the model per text. A
    bulk import classifies its rows a few hundred at a time."""
    m = _model()
    ident = m.identifier
    if ident._norm_probs or not texts:
        return [classify(t) for t in texts]
    data = [ident._encode(t) for t in texts]
    lengths = np.fromiter(map(len, data), dtype=np.intp, count=len(data))
    features = m.output[_states_many(m, data, lengths)]
    owner = np.repeat(np.arange(len(data), dtype=np.intp), lengths)
    keep = features >= 0
    features, owner = features[keep], owner[keep]
    width = len(m.table)
    # One (text, feature) key each; ordered by first appearance, which also groups the
    # texts, since each text's positions come before the next one's.
    keys, first, counts = np.unique(owner * width + features, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    keys, counts = keys[order], counts[order]
    weights = np.log1p(counts.astype(np.float32))
    bounds = np.searchsorted(keys // width, np.arange(len(data) + 1))
    found = keys % width
    scores = np.full((len(data), len(ident.nb_classes)), RAW_FLOOR, dtype=np.float32)
    for i in range(len(data)):
        lo, hi = bounds[i], bounds[i + 1]
        if hi > lo:  # the same product, on the same arrays, as classify's
            table = np.take(m.table, found[lo:hi], axis=0)
            scores[i] = weights[lo:hi] @ table + ident.nb_pc
    for i, j in ident._alias_pairs:
        scores[:, i] = np.maximum(scores[:, i], scores[:, j])
        scores[:, j] = RAW_FLOOR
    best = scores.argmax(axis=1)
    conf = scores[np.arange(len(data)), best]
    out: list[tuple[str, float]] = []
    for k, c in zip(best.tolist(), conf.tolist(), strict=True):
        if ident.min_confidence is not None and c < ident.min_confidence:
            out.append(("und", c))
        else:
            out.append((str(ident.nb_classes[k]), c))
    return out


def classify(text: str) -> tuple[str, float]:
    """``py3langid.classify(text)``: the language code and its raw score."""
    m = _model()
    ident = m.identifier
    if ident._norm_probs:  # not the packaged model's setting: leave it to py3langid
        return py3langid.classify(text)
    data = ident._encode(text)
    features = m.output[_states(m, data)] if data else np.empty(0, dtype=np.intp)
    features = features[features >= 0]
    if len(features):
        # Features in order of first appearance, as py3langid's Counter has them, so the
        # float32 sums run in the same order and give the same scores.
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        table = np.take(m.table, found[order], axis=0)
        scores = np.log1p(counts[order].astype(np.float32)) @ table + ident.nb_pc
    else:
        scores = np.full(len(ident.nb_classes), RAW_FLOOR, dtype=np.float32)
    for i, j in ident._alias_pairs:
        scores[i] = max(scores[i], scores[j])
        scores[j] = RAW_FLOOR
    best = int(scores.argmax())
    conf = float(scores[best])
    if ident.min_confidence is not None and conf < ident.min_confidence:
        return "und", conf
    return str(ident.nb_classes[best]), conf


# ---------------------------------------------------------------------------- descriptions


def detect_language(text: str, found: Iterable[Found] = ()) -> str | None:
    """ISO 639-1 language of a description; None when too short to tell.

    The indicators ``found`` in it are left out first: URLs, addresses, IBANs and wallets
    are nobody's words, and they tip short texts the wrong way (a Danish report naming a
    ``.no`` site read as Norwegian). Classifying the shorter text is also two to three times faster,
    which a bulk import of millions feels.
    """
    words = _classifiable(text, found)
    return None if words is None else classify(words)[0]


@warmup.register
def _warm() -> None:
    """Load the language model before the first description needs it."""
    detect_language("Paid 50 EUR to a seller who never sent the phone I ordered online")


def detect_languages(
    items: Sequence[tuple[str, Iterable[Found]]],
) -> list[str | None]:
    """:func:`detect_language` of each (text, found), the same answers, classified together
    (:func:`classify_many`): what a bulk import does with a few hundred rows."""
    words = [_classifiable(text, found) for text, found in items]
    told = iter(classify_many([w for w in words if w is not None]))
    return [None if w is None else next(told)[0] for w in words]


def _classifiable(text: str, found: Iterable[Found]) -> str | None:
    """The words a language is told from, or None when too few."""
    text = _words_only(text, found)
    return text if len(text.strip()) >= 20 else None


def _words_only(text: str, found: Iterable[Found]) -> str:
    spans = sorted((f.start, f.end) for f in found if f.field == DESCRIPTION)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        if start > last:
            parts.append(text[last:start])
        last = max(last, end)
    parts.append(text[last:])
    return " ".join(parts)
