import pytest

from tests.events.town import Town


@pytest.fixture
def town(world, settings_env, broker) -> Town:
    """The events service with communes A and B and their partners, learned from the broker."""
    return Town.create(world, settings_env, broker.bootstrap_servers)
