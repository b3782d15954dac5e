"""Every event contract of the platform, registered on import."""
from shared.contracts import events, partners, programme, surveys  # noqa: F401  (registers them)
from shared.contracts.envelope import (ContractError, Event, parse, registered_contracts,
                                       serialize, topic_of)

__all__ = ["ContractError", "Event", "parse", "registered_contracts", "serialize", "topic_of"]
