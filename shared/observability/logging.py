"""Structured (JSON) logs, each line carrying the correlation id."""
import json
import logging
import sys
from datetime import datetime, timezone

from shared.observability.context import current_correlation_id


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


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kafka-python is chatty at INFO about every reconnect.
    logging.getLogger("kafka").setLevel(logging.WARNING)


def log_fields(**fields) -> dict:
    """`logger.info("...", extra=log_fields(event_id=...))` adds fields to the JSON line."""
    return {"fields": fields}
