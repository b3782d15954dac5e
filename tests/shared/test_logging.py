"""The console of `make run` carries what needs a person, not kafka-python's timing noise."""
import io
import json
import logging
import time

import pytest
from kafka.net.selector import NetworkSelector

from shared.observability import metrics
from shared.observability.logging import configure_logging


@pytest.fixture
def console():
    """The JSON lines configure_logging's handler writes; the logging set-up is put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    written = io.StringIO()
    root.handlers[0].setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    root.handlers[:], root.level = handlers, level


def a_network_loop_step_of(seconds: float) -> None:
    """kafka-python's own loop runs one step that takes `seconds` (it then warns itself)."""
    def step():
        time.sleep(seconds)
    NetworkSelector().run(step)


def test_a_network_loop_step_slowed_by_a_busy_machine_is_counted_not_printed(console):
    before = metrics.KAFKA_CLIENT_SLOW_STEPS._value.get()
    a_network_loop_step_of(0.15)
    assert metrics.KAFKA_CLIENT_SLOW_STEPS._value.get() == before + 1
    assert console() == []


def test_a_network_loop_step_of_a_second_or_more_is_still_a_warning(console):
    a_network_loop_step_of(1.05)
    lines = console()
    assert [(line["level"], line["logger"]) for line in lines] == [("WARNING", "kafka.net.selector")]
    assert "blocking the event loop" in lines[0]["message"]


def test_other_kafka_warnings_are_printed(console):
    logging.getLogger("kafka.net.selector").warning("Task left RUNNING after step; demoting to UNSCHEDULED")
    assert [line["message"] for line in console()] == ["Task left RUNNING after step; demoting to UNSCHEDULED"]
