"""Residents' names and contacts are kept only so long: the erasure, once or periodically.

The periodic job runs inside the events worker process (`events.entrypoints.consumer`),
beside the consumers: that process runs wherever the service runs (embedded or production),
exactly once per deployment unit, and already stops cleanly on SIGTERM. Several workers
running it at once is harmless: erasing twice changes nothing.
"""
from __future__ import annotations

import logging
import threading

from shared.service import ServiceRuntime

from events.service_layer import handlers

log = logging.getLogger(__name__)


def erase_expired_contacts(runtime: ServiceRuntime, retention_days: int) -> int:
    with runtime.unit_of_work() as uow:
        erased = handlers.erase_contacts(uow, retention_days)
    if erased:
        log.info("erased the contacts of %d registration(s) older than %d day(s)", erased, retention_days)
    return erased


class ErasureJob:
    """Erases at start, then every `interval_s` seconds, until stopped."""

    def __init__(self, runtime: ServiceRuntime, retention_days: int, interval_s: float):
        self.runtime = runtime
        self.retention_days = retention_days
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="erase-contacts", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                erase_expired_contacts(self.runtime, self.retention_days)
            except Exception:  # noqa: BLE001 — the database may be away; try again next round
                log.exception("erasing expired contacts failed; retrying in %ss", self.interval_s)
            self._stop.wait(self.interval_s)
