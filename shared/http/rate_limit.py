"""A per-client rate limit for public (not signed-in) forms and routes.

    limiter = RateLimiter.from_environment()      # ASP_PUBLIC_RATE_LIMIT, e.g. "30/minute"
    refused = limiter.refusal()                   # in a view: None, or a 429 response to return

Clients are told apart by their address, which is only ever held as a keyed hash in this
process's memory (the key is random per process and never written anywhere), so the limit
can be enforced without keeping a trace of who answered a survey.

The counters are per process: under gunicorn with N workers a client may get up to N times
the limit when its requests land on different workers. It is a brake on floods, not an
exact quota; an exact shared limit would need a shared store (e.g. Redis) keyed the same way.
Behind a reverse proxy, the proxy's address is what the app sees unless the WSGI app is
wrapped to trust X-Forwarded-For (werkzeug's ProxyFix).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time

from flask import make_response, request

from shared.http.errors import error_response

DEFAULT_LIMIT = "30/minute"
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_FORMAT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


def parse_rate(text: str) -> tuple[int, float]:
    """"30/minute" -> (30, 60.0); "100/5minutes" -> (100, 300.0)."""
    match = _FORMAT.match(text.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"ASP_PUBLIC_RATE_LIMIT must look like 30/minute, not {text!r}")
    return int(match.group(1)), float(int(match.group(2) or 1) * PERIODS[match.group(3)])


class RateLimiter:
    """A token bucket per client: `limit` requests, refilled evenly over `period_s`."""

    def __init__(self, limit: int, period_s: float, max_clients: int = 100_000, clock=time.monotonic):
        self.limit, self.period_s = limit, period_s
        self.max_clients = max_clients
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._buckets: dict[bytes, tuple[float, float]] = {}  # client hash -> (tokens, time)
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ=None) -> "RateLimiter":
        env = os.environ if environ is None else environ
        return cls(*parse_rate(env.get("ASP_PUBLIC_RATE_LIMIT") or DEFAULT_LIMIT))

    def client_key(self, address: str) -> bytes:
        return hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]

    @property
    def _refill(self) -> float:
        return self.limit / self.period_s

    def _tokens(self, key: bytes, now: float) -> float:
        """The client's tokens now (the caller holds the lock)."""
        tokens, then = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - then) * self._refill)

    def take(self, address: str) -> float:
        """Count one request; 0 if allowed, else the seconds to wait before the next one."""
        key, now = self.client_key(address), self._clock()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) / self._refill
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > self.max_clients:
                self._forget_idle(now, self._refill)
        return 0.0

    def wait(self, address: str) -> float:
        """Without counting anything: 0 if a request would be allowed now, else the seconds to wait."""
        key, now = self.client_key(address), self._clock()
        with self._lock:
            tokens = self._tokens(key, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self._refill

    def forget(self, address: str) -> None:
        """A full bucket again (e.g. after a successful sign-in)."""
        with self._lock:
            self._buckets.pop(self.client_key(address), None)

    def _forget_idle(self, now: float, refill: float) -> None:
        """Buckets that are full again hold nothing worth keeping."""
        for key, (tokens, then) in list(self._buckets.items()):
            if tokens + (now - then) * refill >= self.limit:
                del self._buckets[key]
        while len(self._buckets) > self.max_clients:  # a flood of new addresses: oldest first
            del self._buckets[next(iter(self._buckets))]

    def refusal(self):
        """For the current request: None if it may go on, else the 429 response to return."""
        wait = self.take(request.remote_addr or "unknown")
        if not wait:
            return None
        body, code = error_response(429)
        response = make_response(body, code)
        response.headers["Retry-After"] = str(max(1, round(wait + 0.49)))
        return response
