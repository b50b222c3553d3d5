import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """build_tree() creates a dozen users; the default PBKDF2 hasher makes that take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
