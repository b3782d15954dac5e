"""Relays and consumers run as real processes, stopped dead at a chosen line by the tests.

    python -m tests.support.processes relay-hang-before-mark SETTINGS_JSON MARKER
    python -m tests.support.processes consume-hang-before-commit SETTINGS_JSON MARKER

Each writes MARKER when it reaches the line, then waits there to be SIGKILLed.
"""
import json
import sys
import time
from pathlib import Path

from shared.config import load_settings
from shared.messaging.inbox import InboxConsumer
from shared.messaging.relay import OutboxRelay
from tests.support.counting import counting_runtime


def _hang(marker: str) -> None:
    Path(marker).write_text("reached")
    while True:
        time.sleep(1)


class RelayDyingBeforeMark(OutboxRelay):
    def _mark(self, session, acknowledged, failed):  # published, about to mark as sent
        if acknowledged:
            _hang(self.marker)


class ConsumerDyingBeforeCommit(InboxConsumer):
    def _commit(self):  # effects committed in the database, offsets not yet in Kafka
        _hang(self.marker)


def main(mode: str, config_json: str, marker: str) -> None:
    config = json.loads(config_json)
    runtime = counting_runtime(load_settings(config["env"]), config["database_url"], config["group"],
                               source=config["source"])
    if mode == "relay-hang-before-mark":
        relay = runtime.relay()
        relay.__class__ = RelayDyingBeforeMark
        relay.marker = marker
        relay.publish_batch()
    elif mode == "consume-hang-before-commit":
        consumer = runtime.consumer(runtime.definition.subscriptions[0],
                                    session_timeout_ms=6000, heartbeat_interval_ms=1000,
                                    max_poll_interval_ms=10000)
        consumer.__class__ = ConsumerDyingBeforeCommit
        consumer.marker = marker
        while True:
            consumer.poll_once()
    raise SystemExit(f"{mode}: the line to die at was never reached")


if __name__ == "__main__":
    main(*sys.argv[1:])
