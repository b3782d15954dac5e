"""Figures that read every commune, kept for a few seconds and refreshed behind the readers."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)


class RefreshingCache:
    """A value per key, kept `fresh_s` seconds. After that the next reader still gets it at
    once while one thread computes the new value (stale-while-revalidate): a regional figure
    takes hundreds of milliseconds to compute at the country's scale and nobody should wait
    for it twice. A value older than `usable_s` is not shown: that reader computes it.

    `compute` must not use anything of the request (session, app context): it may run in the
    background after the request has ended.
    """

    def __init__(self, fresh_s: float, usable_s: float = 60.0):
        self.fresh_s = fresh_s
        self.usable_s = usable_s
        self._entries: dict[Hashable, tuple[float, object]] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], object]):
        entry = self._entries.get(key)
        age = time.monotonic() - entry[0] if entry else None
        if age is None or age > self.usable_s:
            return self._store(key, compute)
        if age > self.fresh_s:
            with self._lock:
                start = key not in self._refreshing
                self._refreshing.add(key)
            if start:
                threading.Thread(target=self._refresh, args=(key, compute), daemon=True,
                                 name="reporting-cache-refresh").start()
        return entry[1]

    def _store(self, key: Hashable, compute: Callable[[], object]):
        started = time.monotonic()  # the value is as old as the data it read
        value = compute()
        self._entries[key] = (started, value)
        return value

    def _refresh(self, key: Hashable, compute: Callable[[], object]) -> None:
        try:
            self._store(key, compute)
        except Exception:  # the readers keep the previous value; the next one tries again
            log.exception("reporting: refreshing a cached figure failed")
        finally:
            with self._lock:
                self._refreshing.discard(key)
