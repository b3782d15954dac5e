"""python -m events.entrypoints.consumer — the events worker: the consumers (communes from
the programme, partners from the partners service) and, beside them, the periodic erasure
of residents' contacts (see events.service_layer.retention)."""
from events.bootstrap import definition
from events.config import retention_settings
from events.service_layer.retention import ErasureJob
from shared.config import load_settings
from shared.entrypoints import run_consumers
from shared.service import ServiceRuntime


def main() -> None:
    retention = retention_settings()
    job = ErasureJob(ServiceRuntime(definition, load_settings()), retention.retention_days,
                     retention.erase_interval_seconds)
    job.start()
    try:
        run_consumers(definition)  # until SIGTERM or SIGINT
    finally:
        job.stop()


if __name__ == "__main__":
    main()
