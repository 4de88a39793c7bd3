"""Load what requests will need before the first one comes, then keep the garbage collector
off it.

Several areas load big tables on first use: the warninglists (hundreds of thousands of
entries), the language model, phone-number metadata. Loaded by the first request, they
make it take seconds; kept in the collected heap, they make every full collection walk
them. A full (generation 2) collection of a process holding them and serving reports
took 150 to 180 ms, one every few hundred requests, and landed on whichever request was
running: a large part of a report submission's p99 (bench/ingest_incremental.py).
:func:`settle` runs every registered warmer once, then moves everything alive into the
interpreter's permanent generation (``gc.freeze``), which no collection walks again;
later objects are collected as usual. It also keeps forked workers from copying pages
that a collection would otherwise touch.

Areas register their warmers when imported (core cannot import them); a process calls
:func:`settle` once it has imported what it will serve: the web application at startup,
the job worker, the bulk importer before it forks.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

_WARMERS: list[Callable[[], object]] = []
_lock = threading.Lock()
_settled = False


def register(warmer: Callable[[], object]) -> Callable[[], object]:
    """Add a function that loads an area's tables (usable as a decorator)."""
    if warmer not in _WARMERS:
        _WARMERS.append(warmer)
    return warmer


def settle() -> bool:
    """Run the warmers, then freeze the heap; once per process (False: done already).
    A warmer that fails is logged and skipped: the table then loads on first use."""
    global _settled
    with _lock:
        if _settled:
            return False
        for warm in list(_WARMERS):
            try:
                warm()
            except Exception:  # a cold start is slower, not wrong
                log.exception("warming %s failed", getattr(warm, "__qualname__", warm))
        gc.collect()
        gc.freeze()
        _settled = True
        return True


def settled() -> bool:
    return _settled


# While a bulk job runs: a young generation of 10,000 objects instead of 700, and a full
# collection after 100 middle ones instead of 10. A batch's rows live for seconds, long
# enough to be promoted by the default thresholds, so every few batches a full collection
# walked the whole heap (and the import's cache of the indicators it has met): 62 of them,
# 11.4 s of a 100,000-report import's 49.5 s of CPU. With these, 1 full collection, 3.1 s.
BULK_THRESHOLDS = (10_000, 20, 100)


@contextmanager
def bulk_collections() -> Iterator[None]:
    """Collect less often while a bulk job allocates millions of short-lived objects
    (processes forked inside inherit it); the thresholds are restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
