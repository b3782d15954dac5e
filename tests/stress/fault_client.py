"""The HTTP client of the fault run: it retries what got no answer, and counts everything.

A request "gets no answer" when the connection is refused or reset, or the answer times
out: the web process was killed, or is starting again. It may or may not have been
applied. Retrying is safe when the request is idempotent by itself (GET, PUT of a state,
PATCH to given values, a state change such as publish/close/start — a repeat answers
409, which then means "already done"). A creating POST is not: the platform has no
idempotency key, so before retrying one the caller looks for what it would have created
(`already_there`, by a unique title or name read back through the API) and only posts
again if it is not there. Anonymous survey answers have nothing to look them up by: a
retried answer may be a double *in the surveys service itself* (one resident's paper
form typed twice, so to speak); such retries are counted as `ambiguous`. A double at the
source is not a double in the pipeline: reporting must count what the source holds, and
the end comparison checks exactly that.

An answer 503 (the database refused) or 502/504 is also retried; any other answer is
returned to the caller, which decides.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable

RETRY_STATUSES = {502, 503, 504}


class Unanswered(Exception):
    """Still no answer after every retry."""


class Client:
    def __init__(self, base: str, timeout_s: float = 45.0, give_up_after_s: float = 120.0):
        self.base = base
        self.timeout_s = timeout_s
        self.give_up_after_s = give_up_after_s
        self.counts: Counter = Counter()
        self.refusals: dict[str, object] = {}  # one sample answer per refused (4xx) route and status
        self._lock = threading.Lock()

    def count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def once(self, method: str, path: str, body=None, headers=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, method=method, data=data,
            headers={**(headers or {}), **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())

    def call(self, method: str, path: str, body=None, headers=None,
             already_there: Callable[[], object] | None = None,
             ambiguous_retry: bool | Callable[[], None] = False):
        """(status, body). Retries what got no answer (see the module's docstring)."""
        deadline = time.monotonic() + self.give_up_after_s
        attempt = 0
        while True:
            attempt += 1
            self.count("requests")
            if attempt > 1:
                self.count("retried")
            try:
                status, answer = self.once(method, path, body, headers)
                if status not in RETRY_STATUSES:
                    if status >= 400:
                        route = "/".join(part if not any(ch.isdigit() for ch in part) else "*" for part in path.split("/"))
                        self.refusals.setdefault(f"{method} {route} {status}", answer)
                    return status, answer
                self.count(f"answered_{status}")
            except (urllib.error.URLError, ConnectionError, socket.timeout, http.client.HTTPException,
                    TimeoutError) as error:
                self.count("unanswered")
                self.count(f"unanswered_{type(getattr(error, 'reason', error)).__name__}")
                if method == "POST" and already_there is not None:
                    time.sleep(0.3)
                    found = self._look(already_there, deadline)
                    if found is not None:
                        self.count("retry_resolved_by_reading_back")
                        return 201, found
                elif method == "POST" and ambiguous_retry:
                    self.count("ambiguous")
                    if callable(ambiguous_retry):
                        ambiguous_retry()
            if time.monotonic() > deadline:
                self.count("failed")
                raise Unanswered(f"{method} {path}: no answer within {self.give_up_after_s:.0f} s")
            time.sleep(min(2.0, 0.1 * attempt))

    def _look(self, already_there, deadline):
        """The read-back itself needs an answer: retried until one comes."""
        while True:
            try:
                return already_there()
            except (Unanswered, OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def get(self, path: str, headers=None):
        status, body = self.call("GET", path, headers=headers)
        assert status == 200, (path, status, body)
        return body


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return {"raw": raw[:500].decode(errors="replace")}
