"""The partners service, wired: its tables, API, pages, consumers and demo."""
from pathlib import Path

from shared.contracts import topic_of
from shared.service import ServiceDefinition, Subscription

from partners.adapters.orm import Base
from partners.api.pages import pages
from partners.api.routes import communes_blp, regional_blp
from partners.demo import seed
from partners.service_layer.consumers import HANDLERS

definition = ServiceDefinition(
    name="partners",
    metadata=Base.metadata,
    package_dir=Path(__file__).resolve().parent,
    api_blueprints=[regional_blp, communes_blp],
    page_blueprints=[pages],
    subscriptions=[Subscription(group="partners-network",
                                topics=[topic_of("programme"), topic_of("events")],
                                handlers=HANDLERS)],
    seed_demo=seed,
)
