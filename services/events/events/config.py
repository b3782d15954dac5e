"""The events service's own settings, from the environment (the shared ones are in shared/config.py).

| variable | default | meaning |
| --- | --- | --- |
| ASP_REGISTRATION_RETENTION_DAYS | 30 | days after an event before its registrations' names and contacts are erased |
| ASP_REGISTRATION_ERASE_INTERVAL_SECONDS | 3600 | how often the events worker runs the erasure |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Where the platform's people live: times are shown, typed and put in calendars in this zone.
ZURICH = ZoneInfo("Europe/Zurich")


@dataclass(frozen=True)
class RetentionSettings:
    retention_days: int
    erase_interval_seconds: float


def _whole_number(env, name: str, default: int, smallest: int) -> int:
    raw = env.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < smallest:
        raise ValueError(f"{name} must be at least {smallest}, not {value}")
    return value


def retention_settings(environ: dict[str, str] | None = None) -> RetentionSettings:
    env = os.environ if environ is None else environ
    return RetentionSettings(
        retention_days=_whole_number(env, "ASP_REGISTRATION_RETENTION_DAYS", 30, 0),
        erase_interval_seconds=_whole_number(env, "ASP_REGISTRATION_ERASE_INTERVAL_SECONDS", 3600, 1))
