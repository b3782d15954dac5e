"""A brake on guessing passwords: after a few wrong ones for an e-mail address (or many from
one client), every attempt is refused for a while — even with the right password — so the
answer tells a guesser nothing more.

ASP_LOGIN_RATE_LIMIT ("5/15minutes" by default): wrong passwords allowed per e-mail address,
refilled evenly over the period; a client address gets four times as many, so one office
behind one address is not locked out by a colleague, yet one client cannot try every account.
Only wrong attempts count. Per process, like shared.http.rate_limit, which it builds on.
"""
from __future__ import annotations

import math
import os

from flask import current_app, request

from shared.http.rate_limit import RateLimiter, parse_rate
from shared.text import N_

DEFAULT_LIMIT = "5/15minutes"
EXTENSION = "programme_login_throttle"
PER_CLIENT_FACTOR = 4
TOO_MANY_ATTEMPTS = N_("Too many failed sign-in attempts. Please wait a few minutes and try again.")


class LoginThrottle:
    def __init__(self, limit: int, period_s: float, clock=None):
        options = {"clock": clock} if clock else {}
        self.by_account = RateLimiter(limit, period_s, **options)
        self.by_client = RateLimiter(limit * PER_CLIENT_FACTOR, period_s, **options)

    @classmethod
    def from_environment(cls, environ=None) -> "LoginThrottle":
        env = os.environ if environ is None else environ
        return cls(*parse_rate(env.get("ASP_LOGIN_RATE_LIMIT") or DEFAULT_LIMIT))

    def retry_after(self, email: str, address: str) -> int:
        """0 if this attempt may be checked, else the whole seconds to wait."""
        wait = max(self.by_account.wait(email.strip().lower()), self.by_client.wait(address))
        return math.ceil(wait) if wait else 0

    def failed(self, email: str, address: str) -> None:
        self.by_account.take(email.strip().lower())
        self.by_client.take(address)

    def succeeded(self, email: str) -> None:
        self.by_account.forget(email.strip().lower())


def throttle() -> LoginThrottle:
    return current_app.extensions[EXTENSION]


def client_address() -> str:
    return request.remote_addr or "unknown"
