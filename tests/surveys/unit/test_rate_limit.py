"""The public forms' per-client rate limit (shared.http.rate_limit), on a clock of our own."""
import pytest

from shared.http.rate_limit import RateLimiter, parse_rate


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("text, expected", [
    ("30/minute", (30, 60.0)), ("5/second", (5, 1.0)), ("100 / hour", (100, 3600.0)),
    ("1000/day", (1000, 86400.0)), ("10/5minutes", (10, 300.0)), ("2/minutes", (2, 60.0)),
])
def test_rates_are_read_as_written(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "30", "thirty/minute", "0/minute", "30/fortnight", "-1/minute"])
def test_a_rate_that_cannot_be_read_is_refused_at_start(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_a_client_gets_its_limit_then_waits_for_the_bucket_to_refill():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.take("198.51.100.1") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("198.51.100.1") == pytest.approx(20.0)
    clock.now += 20
    assert limiter.take("198.51.100.1") == 0
    assert limiter.take("198.51.100.1") > 0


def test_clients_are_counted_apart_and_held_only_as_keyed_hashes():
    limiter = RateLimiter(1, 60, clock=Clock())
    assert limiter.take("198.51.100.1") == 0
    assert limiter.take("198.51.100.2") == 0
    assert limiter.take("198.51.100.1") > 0
    assert all(isinstance(key, bytes) and b"198.51" not in key for key in limiter._buckets)
    assert RateLimiter(1, 60).client_key("198.51.100.1") != limiter.client_key("198.51.100.1")


def test_memory_stays_bounded_under_a_flood_of_addresses():
    clock = Clock()
    limiter = RateLimiter(2, 60, max_clients=100, clock=clock)
    for number in range(1000):
        limiter.take(f"10.0.{number // 256}.{number % 256}")
    assert len(limiter._buckets) <= 101


def test_the_limit_comes_from_asp_public_rate_limit():
    assert (RateLimiter.from_environment({"ASP_PUBLIC_RATE_LIMIT": "7/hour"}).limit,
            RateLimiter.from_environment({}).limit) == (7, 30)
