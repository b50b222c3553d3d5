import os

import pytest

os.environ.setdefault("GRASSROOTS_DATA_KEY", "test-data-key-0123456789abcdef0123456789")


@pytest.fixture
def tree(db):
    from tests.factories import build_tree

    return build_tree()


@pytest.fixture
def client_as(client):
    """client_as(user) → a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
