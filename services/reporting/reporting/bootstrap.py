"""The reporting service, wired. Its domain, API and consumers arrive with its own issue;
until then it runs its health, readiness, metrics and OpenAPI routes on its own database."""
from pathlib import Path

from shared.db.engine import service_metadata
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="reporting",
    metadata=service_metadata(),
    package_dir=Path(__file__).resolve().parent,
)
