import pytest


@pytest.fixture
def trained(db):
    """Train once from the shipped cold-start sample (about two seconds) and return the summary."""
    from grassroots.routing.training import routing_train

    return routing_train()


@pytest.fixture(autouse=True)
def _fresh_schedule():
    from grassroots.routing import services

    services._last_check[0] = None
    yield
    services._last_check[0] = None
