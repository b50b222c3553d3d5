import pytest

from grassroots.core.sensitive import get_sensitive
from grassroots.people.services import person_upsert

PHONE = "13912345678"


class RecordingSender:
    """A gateway that accepts everything and remembers what it got (configured by dotted path)."""

    sent: list[tuple[str, str, str]] = []

    def send(self, message) -> None:
        RecordingSender.sent.append((message.key, get_sensitive(message, "address"), message.text))


class FailingSender:
    def send(self, message) -> None:
        raise RuntimeError("短信网关超时")


@pytest.fixture
def sent(settings):
    settings.GRASSROOTS_NOTIFY_SENDER = "tests.notifications.conftest.RecordingSender"
    RecordingSender.sent = []
    return RecordingSender.sent


@pytest.fixture
def worker_a(tree):
    return tree.user("grid_worker_A")


@pytest.fixture
def worker_b(tree):
    return tree.user("grid_worker_B")


def give_phone(user, phone: str = PHONE):
    person = person_upsert(name=str(user), district_code="420303", phone=phone)
    person.user = user
    person.save()
    return user
