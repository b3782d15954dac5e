"""python -m events.entrypoints.erase_contacts — erase, once, the names and contacts of
registrations to events that ended more than ASP_REGISTRATION_RETENTION_DAYS days ago.

The events worker (`events.entrypoints.consumer`) also runs this every
ASP_REGISTRATION_ERASE_INTERVAL_SECONDS; the command is for operators and cron jobs.
"""
from events.bootstrap import definition
from events.config import retention_settings
from events.service_layer.retention import erase_expired_contacts
from shared.config import load_settings
from shared.observability.logging import configure_logging
from shared.service import ServiceRuntime


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    retention = retention_settings()
    erased = erase_expired_contacts(ServiceRuntime(definition, settings), retention.retention_days)
    print(f"Erased the contacts of {erased} registration(s) to events that ended more than "
          f"{retention.retention_days} day(s) ago.")


if __name__ == "__main__":
    main()
