"""The staff pages follow the language."""

from __future__ import annotations

import pytest

from tests.cases.pages_support import accepted


@pytest.fixture
def english(client_as, settings):
    def login(user):
        client = client_as(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client
    return login


def test_staff_pages_in_english(english, tree, new_case):
    case = accepted(new_case("A", contact_phone="13812345678"), tree)
    client = english(tree.user("community_worker_1"))
    html = client.get("/cases/").content.decode()
    for word in ("Cases", "Dispatch board", "Export to Excel", "Time left", "To accept"):
        assert word in html, word
    html = client.get("/cases/board/").content.decode()
    assert "Include lower levels" in html and "Dispatch ticked" in html
    html = client.get(f"/cases/{case.pk}/").content.decode()
    for word in ("Actions", "Timeline", "Dispatch to unit", "Confirm: Dispatch", "Show the full contact", "Accept"):
        assert word in html, word
    assert "诉求清单" not in html and "办理操作" not in html
