"""Process entrypoints shared by every service: the outbox relay and the consumers.

`python -m <service>.entrypoints.relay` and `… .consumer` call these; each runs until
SIGTERM or SIGINT, finishing the message or batch at hand first.
"""
from __future__ import annotations

import signal
import threading

from prometheus_client import start_http_server

from shared.config import load_settings
from shared.observability.logging import configure_logging
from shared.service import ServiceDefinition, ServiceRuntime


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def start_runtime(definition: ServiceDefinition) -> ServiceRuntime:
    settings = load_settings()
    configure_logging(settings.log_level)
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr="0.0.0.0")
    return ServiceRuntime(definition, settings)


def run_relay(definition: ServiceDefinition) -> None:
    runtime = start_runtime(definition)
    runtime.relay().run(stop_on_signals())


def run_consumers(definition: ServiceDefinition) -> None:
    """All of the service's subscriptions, one thread each, in this process. If one of them
    dies, the process ends with an error, so that its supervisor starts it again: a live
    process with a dead consumer thread would never read its topics again."""
    runtime = start_runtime(definition)
    stop = stop_on_signals()
    failed = threading.Event()

    def consume(subscription) -> None:
        try:
            runtime.consumer(subscription).run(stop)
        except BaseException:
            failed.set()
            stop.set()
            raise

    threads = [threading.Thread(target=consume, args=(subscription,), name=subscription.group)
               for subscription in definition.subscriptions]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join()
    if failed.is_set():
        raise SystemExit(1)


def wsgi_app(definition: ServiceDefinition):
    """The WSGI app for gunicorn: `<service>.entrypoints.wsgi:app`."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return ServiceRuntime(definition, settings).create_app()
