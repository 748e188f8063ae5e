"""A per-process limit on audit rows for requests that present no valid API key.

Anyone can send requests without a key. If each wrote an audit row, an anonymous client could
grow ``acp_audit_log`` without bound, so rows for these requests (401, and 405 which is decided
before the key is checked) pass through a token bucket: a burst of ``BURST`` rows, then
``PER_SECOND`` rows a second, per process. Requests over the limit are answered exactly as
usual; they are only counted, and the count is logged (at the first drop, then every
``REPORT_SECONDS``). Requests with a valid key are never limited.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("acp")

BURST = 100
PER_SECOND = 1.0
REPORT_SECONDS = 60.0


class AuditLimiter:
    """A thread-safe token bucket that counts what it refuses."""

    def __init__(
        self,
        burst: int = BURST,
        per_second: float = PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()
        self._dropped = 0
        self._period_start = self._updated

    def admit(self) -> bool:
        """True when this request's audit row may be written; False when it is only counted."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.per_second)
            self._updated = now
            admitted = self._tokens >= 1.0
            if admitted:
                self._tokens -= 1.0
            report = 0
            if self._dropped and now - self._period_start >= REPORT_SECONDS:
                report, self._dropped = self._dropped, 0
            first_drop = not admitted and self._dropped == 0
            if first_drop:
                self._period_start = now
            if not admitted:
                self._dropped += 1
        if report:
            logger.warning(
                "%d requests without a valid API key were answered but not audited "
                "in the last %.0f s or more (rate limit)",
                report,
                REPORT_SECONDS,
            )
        if first_drop:
            logger.warning(
                "audit rows for requests without a valid API key are over the limit "
                "(%d, then %g per second per process); further ones are counted, not written",
                self.burst,
                self.per_second,
            )
        return admitted


unauthenticated = AuditLimiter()
