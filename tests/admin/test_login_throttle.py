"""Password guessing is refused: five wrong passwords for one account (or thirty from one address)
within fifteen minutes stop sign-in there — even with the right password — with a Chinese message
that says when to try again; the admin's login counts the same."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.core.cache import caches

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    """An empty shared cache, and a clock a minute into a fifteen-minute window, so the attempts of a
    test never straddle two windows (the counters are fixed windows: core/throttle.py)."""
    caches["shared"].clear()
    start = time.time() // 900 * 900 + 60
    with time_machine.travel(start, tick=True):
        yield
    caches["shared"].clear()


def login(client, username, password, url="/login/", address="10.1.1.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_stop_the_account_then_it_says_when(client):
    make_user("clerk")
    for i in range(5):
        page = login(client, "clerk", "wrong").content.decode()
        assert "用户名或密码不正确，请重新输入。" in page
        if i >= 1:
            assert f"再输错 {4 - i} 次" in page or i == 4
    refused = login(client, "clerk", PASSWORD).content.decode()
    assert "登录失败次数过多，请" in refused and "分钟后再试" in refused
    assert "_auth_user_id" not in client.session
    make_user("other")
    assert login(client, "other", PASSWORD).status_code == 302  # another account from the same place


def test_many_accounts_from_one_address(client):
    for n in range(30):
        login(client, f"nobody{n}", "wrong", address="10.9.9.9")
    make_user("clerk")
    assert "登录失败次数过多" in login(client, "clerk", PASSWORD, address="10.9.9.9").content.decode()
    assert login(client, "clerk", PASSWORD, address="10.9.9.8").status_code == 302


def test_the_admin_login_counts_the_same(client):
    make_user("boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        login(client, "boss", "wrong", url="/admin/login/")
    page = login(client, "boss", PASSWORD, url="/admin/login/").content.decode()
    assert "登录失败次数过多" in page
