"""The API's rate limit: at most LIMIT requests per token in any PERIOD (a sliding window), kept
in the app's memory (one app process holds the database, so one process counts)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

LIMIT = 60
PERIOD = 60.0  # seconds


class RateLimit:
    def __init__(self, limit: int = LIMIT, period: float = PERIOD):
        self.limit, self.period = limit, period
        self._seen: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: int, now: float | None = None) -> int | None:
        """None when a request for key may go ahead now (and count it); otherwise the whole
        seconds until it may (the Retry-After header), counting nothing."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.period:
                seen.popleft()
            if len(seen) >= self.limit:
                return max(1, math.ceil(seen[0] + self.period - now))
            seen.append(now)
            return None
