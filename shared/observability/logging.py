"""Structured (JSON) logs, each line carrying the correlation id."""
import json
import logging
import re
import sys
from datetime import datetime, timezone

from shared.observability import metrics
from shared.observability.context import current_correlation_id

SLOW_STEP = re.compile(r"^Task .* ran for (\d+(?:\.\d+)?)s \(>[\d.]+s threshold\)\. It is blocking the event loop")
LOUD_SLOW_STEP_S = 1.0


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": current_correlation_id(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class KafkaSlowStepFilter(logging.Filter):
    """kafka-python 3 times each step of its network loop by the wall clock and warns past
    0.1 s that it "is blocking the event loop". On `make run` (a newcomer's console: 601 in
    25 minutes) every such step was a consumer's socket read or write, or its waiter, that
    spent 0.000 to 0.06 s on the CPU for 0.1 to 0.4 s of wall-clock time: the thread was
    waiting for a core or for the GIL (a dozen processes on two cores, the consumer's own
    thread applying a batch), not looping. They are counted (asp_kafka_client_slow_steps_total)
    rather than printed; a step of a second or more is still a warning, as a real tight loop
    would be."""

    def filter(self, record: logging.LogRecord) -> bool:
        slow = SLOW_STEP.match(record.getMessage())
        if slow is None:
            return True
        metrics.KAFKA_CLIENT_SLOW_STEPS.inc()
        return float(slow.group(1)) >= LOUD_SLOW_STEP_S


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kafka-python is chatty at INFO about every reconnect.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    selector = logging.getLogger("kafka.net.selector")
    if not any(isinstance(f, KafkaSlowStepFilter) for f in selector.filters):
        selector.addFilter(KafkaSlowStepFilter())


def log_fields(**fields) -> dict:
    """`logger.info("...", extra=log_fields(event_id=...))` adds fields to the JSON line."""
    return {"fields": fields}
