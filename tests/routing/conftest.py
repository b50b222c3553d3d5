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


@pytest.fixture
def doubtful(tree, new_case):
    """A case below the street's threshold: reported, with three suggestions stored."""
    from .helpers import install_model, street_policy

    install_model(outcomes=[("城乡建设", tree.grid("A").code, tree.units["property"], 1.0)] * 3)
    street_policy(tree.streets[0], threshold=0.99)
    return new_case("A", title="楼道灯坏了", body="3栋楼道灯坏了不亮")
