"""Every metric the platform exports, defined once.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR is set and /metrics aggregates the workers'
files (MultiProcessCollector); relays, consumers and the embedded run use the plain
process registry.
"""
import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge,
                               Histogram, generate_latest)
from prometheus_client import multiprocess
from prometheus_client.core import REGISTRY

HTTP_REQUESTS = Counter(
    "asp_http_requests_total", "HTTP requests answered",
    ["service", "route", "method", "status"])
HTTP_LATENCY = Histogram(
    "asp_http_request_duration_seconds", "Time to answer an HTTP request",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_PUBLISHED = Counter(
    "asp_events_published_total", "Events the outbox relay published to Kafka",
    ["service", "topic"])
PUBLISH_FAILURES = Counter(
    "asp_outbox_publish_failures_total", "Outbox rows Kafka did not acknowledge",
    ["service"])
# Under gunicorn each worker sets these when it answers /metrics: the most recent value of
# a live worker is the current one ("max" would keep an idle worker's stale peak).
OUTBOX_BACKLOG = Gauge(
    "asp_outbox_backlog", "Outbox rows not yet published",
    ["service"], multiprocess_mode="livemostrecent")
OUTBOX_OLDEST_AGE = Gauge(
    "asp_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row",
    ["service"], multiprocess_mode="livemostrecent")
EVENTS_CONSUMED = Counter(
    "asp_events_consumed_total", "Events applied by a consumer (duplicates excluded)",
    ["service", "group", "type"])
EVENTS_DUPLICATE = Counter(
    "asp_events_duplicate_total", "Events skipped because the inbox had them already",
    ["service", "group"])
EVENTS_FAILED = Counter(
    "asp_events_failed_total", "Attempts to apply an event that raised an error",
    ["service", "group"])
EVENTS_DEAD_LETTERED = Counter(
    "asp_events_dead_lettered_total", "Events sent to the dead-letter topic",
    ["service", "group"])
KAFKA_CLIENT_SLOW_STEPS = Counter(
    "asp_kafka_client_slow_steps_total",
    "Steps of kafka-python's network loop that took over 0.1 s of wall-clock time (shared/observability/logging.py)")
CONSUMER_LAG = Gauge(
    "asp_consumer_lag", "Messages between a consumer's position and the end of the partition",
    ["service", "group", "topic", "partition"], multiprocess_mode="max")


def metrics_response(extra_collectors=()) -> tuple[bytes, int, dict[str, str]]:
    """The process's (or, under gunicorn, every worker's) metrics, then those a service
    computes at scrape time from its database (`extra_collectors`)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if extra_collectors:
        extras = CollectorRegistry(auto_describe=False)
        for collector in extra_collectors:
            extras.register(collector)
        body += generate_latest(extras)
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST}
