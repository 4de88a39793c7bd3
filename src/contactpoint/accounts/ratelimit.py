"""An in-memory sliding-window rate limiter (pure; no database).

It counts within one process only. Behind a load balancer with several web processes each
process keeps its own window, so the effective limit is the per-process limit times the number
of processes; the per-account lock-out (stored in the database) still holds across processes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Allow at most ``limit`` hits per key within the last ``window`` seconds."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # uvicorn may run sync routes in a thread pool

    def hit(self, key: str, limit: int) -> bool:
        """Record one attempt for ``key``; False when it exceeds the limit (not recorded then)."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded when many addresses pass by.
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
