"""Every event contract of the platform, registered on import."""
from shared.contracts import programme  # noqa: F401  (registers the contracts)
from shared.contracts.envelope import (ContractError, Event, parse, registered_contracts,
                                       serialize, topic_of)

__all__ = ["ContractError", "Event", "parse", "registered_contracts", "serialize", "topic_of"]
