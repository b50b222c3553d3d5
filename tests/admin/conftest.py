import pytest

from tests.people.world import populate


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # build_tree creates nine users; PBKDF2 would spend ~2 s per test on their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(tree):
    return populate(tree)
