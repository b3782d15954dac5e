"""The reporting service, wired: read models built only from the other services' events."""
from pathlib import Path

from shared.contracts import topic_of
from shared.service import ServiceDefinition, Subscription

from reporting.adapters.orm import Base
from reporting.api.pages import pages
from reporting.api.routes import communes_blp, region_blp
from reporting.service_layer.generations import GROUP_PREFIX
from reporting.service_layer.metrics import collectors

definition = ServiceDefinition(
    name="reporting",
    metadata=Base.metadata,
    package_dir=Path(__file__).resolve().parent,
    api_blueprints=[communes_blp, region_blp],
    page_blueprints=[pages],
    metrics_collectors=collectors,
    # The topics it reads. The consumer group and the handlers belong to a generation of
    # the read models, so entrypoints/consumer.py builds them (service_layer/generations.py).
    subscriptions=[Subscription(group=GROUP_PREFIX, handlers={},
                                topics=[topic_of(s) for s in ("programme", "surveys", "events", "partners")])],
)
