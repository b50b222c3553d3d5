"""Resident accounts: a phone and a one-time code (sent through the outbox, throttled with counters
every process shares), then a household — at once when the register knows the resident, else when
the grid worker confirms. Nothing about who is in the register leaks through the answers."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ValidationError
from django.utils import timezone

from grassroots.accounts.models import Role, RoleAssignment
from grassroots.core import crypto
from grassroots.core.throttle import Throttled
from grassroots.notifications.models import Notification, OutboxMessage
from grassroots.people.models import Person, Resident
from grassroots.portal import accounts
from grassroots.portal.models import HouseholdClaim, ResidentAccount, SignInCode

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def code_sent_to(phone: str) -> str:
    message = OutboxMessage.objects.filter(address_index=crypto.blind_index(phone)).order_by("-pk").first()
    assert message is not None, "no text message queued"
    return re.search(r"验证码是 (\d{6})", message.text).group(1)


def signed_up(phone: str = PHONE) -> accounts.SignedIn:
    accounts.signin_code_send(phone=phone)
    return accounts.signin_code_verify(phone=phone, code=code_sent_to(phone))


def resident_id(tree, n: int) -> tuple[str, str]:
    """(name, ID number) of the n-th resident of the test tree's register."""
    person = tree.residents[n - 1].person
    return person.name, person.plain("id_number")


# --- signing in ----------------------------------------------------------------------------------------


def test_a_code_signs_up_once_and_signs_in_after():
    accounts.signin_code_send(phone="139 1234 5678")
    message = OutboxMessage.objects.get()
    assert message.channel == "sms" and message.address_masked == "139****5678" and "10 分钟内有效" in message.text
    first = accounts.signin_code_verify(phone=PHONE, code=code_sent_to(PHONE))
    assert first.created and first.account.status == "unverified" and first.account.phone_masked == "139****5678"
    assert PHONE not in first.user.username and not first.user.has_usable_password()
    assert not RoleAssignment.objects.filter(user=first.user).exists()  # unverified: no resident role
    with pytest.raises(ValidationError, match="已失效"):  # the code is spent
        accounts.signin_code_verify(phone=PHONE, code=code_sent_to(PHONE))
    caches["shared"].clear()  # (the next code may be sent at once)
    again = signed_up()
    assert not again.created and again.user == first.user and ResidentAccount.objects.count() == 1


def test_wrong_codes_count_down_and_five_spend_the_code():
    accounts.signin_code_send(phone=PHONE)
    right = code_sent_to(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可以再试 {left} 次"):
            accounts.signin_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        accounts.signin_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="已失效"):
        accounts.signin_code_verify(phone=PHONE, code=right)
    assert not ResidentAccount.objects.exists()


def test_an_old_code_has_expired_and_bad_input_is_named():
    accounts.signin_code_send(phone=PHONE)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="已失效"):
        accounts.signin_code_verify(phone=PHONE, code=code_sent_to(PHONE))
    for phone in ("", "12345", "0719-8888888", "<script>", "1" * 5000):
        with pytest.raises(ValidationError) as err:
            accounts.signin_code_send(phone=phone)
        assert "phone" in err.value.message_dict
    with pytest.raises(ValidationError, match="6位数字"):
        accounts.signin_code_verify(phone=PHONE, code="12ab56")


def test_codes_are_throttled_per_number_and_per_address_and_the_count_is_in_the_shared_cache():
    accounts.signin_code_send(phone=PHONE, address="10.0.0.1")
    with pytest.raises(Throttled, match=r"获取验证码过于频繁，请(\d+秒|1分钟)后再试") as err:
        accounts.signin_code_send(phone=PHONE, address="10.0.0.1")
    assert 55 < err.value.retry_after <= 60  # a cooldown from the first code, not a calendar minute
    assert OutboxMessage.objects.count() == 1
    # Another process reads the same counters: a second DatabaseCache object over the same table.
    other_process = DatabaseCache("grassroots_shared_cache", {})
    from grassroots.core.throttle import _key

    key, _ends = _key(accounts.SEND_LIMITS[1], crypto.blind_index(PHONE), __import__("time").time())
    assert other_process.get(key) == 1  # the hourly count; the refused attempt was not counted again
    # Per address: twenty numbers an hour from one address, then no more.
    for n in range(19):
        accounts.signin_code_send(phone=f"1370000{n:04d}", address="10.0.0.2")
    accounts.signin_code_send(phone="13700009999", address="10.0.0.2")
    with pytest.raises(Throttled, match="过于频繁"):
        accounts.signin_code_send(phone="13600000000", address="10.0.0.2")
    accounts.signin_code_send(phone="13600000000", address="10.0.0.3")  # another address still may


def test_the_hourly_limit_per_number(monkeypatch):
    import grassroots.core.throttle as throttle

    clock = [1_000_000.0]
    real_hit = throttle.hit
    real_peek = throttle.peek
    monkeypatch.setattr(accounts, "hit", lambda limit, key: real_hit(limit, key, now=clock[0]))
    monkeypatch.setattr(accounts, "peek", lambda limit, key: real_peek(limit, key, now=clock[0]))
    for _ in range(5):
        accounts.signin_code_send(phone=PHONE)
        clock[0] += 61  # past the one-a-minute limit
    with pytest.raises(Throttled, match="分钟后再试|秒后再试"):
        accounts.signin_code_send(phone=PHONE)


# --- claiming a household --------------------------------------------------------------------------------


def test_name_and_id_number_in_the_register_verify_at_once(tree):
    account = signed_up().account
    name, id_number = resident_id(tree, 1)
    result = accounts.household_claim_submit(account=account, name=name, id_number=id_number.lower())
    account.refresh_from_db()
    assert result.verified and account.status == "verified" and account.method == "register"
    household = tree.residents[0].household
    assert account.household == household and account.person == tree.residents[0].person
    assert Person.objects.get(pk=account.person_id).user == account.user
    assert RoleAssignment.objects.filter(user=account.user, role=Role.RESIDENT, area=household).exists()
    with pytest.raises(ValidationError, match="已核验"):
        accounts.household_claim_submit(account=account, name=name, id_number=id_number)


def test_the_answer_does_not_say_who_is_in_the_register(tree):
    """A wrong name for a registered ID number and an unknown ID number get the same answer."""
    account = signed_up().account
    _name, registered = resident_id(tree, 2)
    unknown = crypto.id_number_with_check("42030319900101999")
    answers = []
    for name, id_number in (("别人", registered), ("别人", unknown)):
        with pytest.raises(ValidationError) as err:
            accounts.household_claim_submit(account=account, name=name, id_number=id_number)
        answers.append(err.value.message_dict)
    assert answers[0] == answers[1] and "household" in answers[0]
    account.refresh_from_db()
    assert account.status == "unverified" and not HouseholdClaim.objects.exists()


def test_an_unknown_resident_claims_a_household_and_the_grid_worker_confirms(tree):
    account = signed_up().account
    household = tree.households[1]  # grid A
    id_number = crypto.id_number_with_check("42030319900101123")
    result = accounts.household_claim_submit(account=account, name="新住户", id_number=id_number,
                                             household=household, note="刚搬来的租户")
    claim = result.claim
    assert not result.verified and claim.status == "pending" and claim.id_number_masked.startswith("420303")
    assert id_number not in json.dumps(list(HouseholdClaim.objects.values()), default=str)  # encrypted
    account.refresh_from_db()
    assert account.status == "pending"
    inbox = Notification.objects.get(recipient=tree.user("grid_worker_A"))
    assert inbox.kind == "approval" and f"/r/claims/{claim.pk}/" == inbox.link and id_number not in inbox.body
    assert not Notification.objects.filter(recipient=tree.user("grid_worker_B")).exists()
    with pytest.raises(ValidationError, match="待网格员确认"):
        accounts.household_claim_submit(account=account, name="新住户", id_number=id_number, household=household)

    accounts.household_claim_decide(claim=claim, actor=tree.user("grid_worker_A"), confirm=True)
    account.refresh_from_db()
    assert account.status == "verified" and account.method == "grid_worker" and account.household == household
    person = account.person
    assert person.name == "新住户" and person.plain("id_number") == id_number and person.plain("phone") == PHONE
    assert Resident.objects.filter(person=person, household=household).exists()
    assert RoleAssignment.objects.filter(user=account.user, role=Role.RESIDENT, area=household).exists()
    told = Notification.objects.get(recipient=account.user)
    assert told.title == "住户认领已确认"


def test_a_refusal_needs_a_reason_the_resident_sees(tree):
    account = signed_up().account
    claim = accounts.household_claim_submit(account=account, name="新住户", household=tree.households[0],
                                            id_number=crypto.id_number_with_check("42030319900101124")).claim
    worker = tree.user("grid_worker_A")
    with pytest.raises(ValidationError, match="原因"):
        accounts.household_claim_decide(claim=claim, actor=worker, confirm=False, reason=" ")
    accounts.household_claim_decide(claim=claim, actor=worker, confirm=False, reason="该户无此人，请与户主一同到社区办理")
    account.refresh_from_db()
    assert account.status == "unverified" and not RoleAssignment.objects.filter(user=account.user).exists()
    assert Notification.objects.get(recipient=account.user).body == "原因：该户无此人，请与户主一同到社区办理"
    with pytest.raises(ValidationError, match="未通过"):  # decided once
        accounts.household_claim_decide(claim=claim, actor=worker, confirm=True)


def test_only_the_households_grid_staff_or_community_may_decide(tree):
    account = signed_up().account
    claim = accounts.household_claim_submit(account=account, name="新住户", household=tree.households[0],
                                            id_number=crypto.id_number_with_check("42030319900101125")).claim
    from django.core.exceptions import PermissionDenied

    for outsider in ("grid_worker_B", "community_worker_2", "dept_handler"):
        with pytest.raises(PermissionDenied):
            accounts.household_claim_decide(claim=claim, actor=tree.user(outsider), confirm=True)
    accounts.household_claim_decide(claim=claim, actor=tree.user("community_worker_1"), confirm=True)


def test_a_person_tied_to_another_account_goes_to_the_grid_worker(tree):
    name, id_number = resident_id(tree, 1)
    first = signed_up().account
    accounts.household_claim_submit(account=first, name=name, id_number=id_number)
    caches["shared"].clear()
    second = signed_up("13800001111").account
    result = accounts.household_claim_submit(account=second, name=name, id_number=id_number,
                                             household=tree.residents[0].household)
    assert not result.verified and result.claim is not None
    with pytest.raises(ValidationError, match="已绑定另一个账号"):
        accounts.household_claim_decide(claim=result.claim, actor=tree.user("grid_worker_A"), confirm=True)
    assert HouseholdClaim.objects.get(pk=result.claim.pk).status == "pending"  # nothing half-written


def test_claims_are_throttled_per_account(tree):
    account = signed_up().account
    for _ in range(5):
        with pytest.raises(ValidationError):
            accounts.household_claim_submit(account=account, name="猜", id_number=crypto.id_number_with_check(
                "42030319900101126"))
    with pytest.raises(Throttled, match="提交核验过于频繁"):
        accounts.household_claim_submit(account=account, name="猜", id_number=crypto.id_number_with_check(
            "42030319900101126"))


# --- pages and API ------------------------------------------------------------------------------------


def test_signin_page_sends_a_code_then_signs_in(client):
    page = client.get("/r/login/?next=/r/new/")
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    sent = client.post("/r/login/", {"phone": PHONE, "action": "send", "next": "/r/new/"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    again = client.post("/r/login/", {"phone": PHONE, "action": "send"})
    assert again.status_code == 400 and "过于频繁" in again.content.decode()
    wrong = client.post("/r/login/", {"phone": PHONE, "code": "999999" if code_sent_to(PHONE) != "999999" else "888888",
                                      "action": "verify"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    done = client.post("/r/login/", {"phone": PHONE, "code": code_sent_to(PHONE), "action": "verify",
                                     "next": "/r/new/"})
    assert done.status_code == 302 and done["Location"] == "/r/new/"
    me = client.get("/r/me/").content.decode()
    assert "139****5678" in me and "核验身份，绑定住户" in me and "我的诉求" in me


def test_signin_page_will_not_redirect_off_site(client):
    client.post("/r/login/", {"phone": PHONE, "action": "send"})
    done = client.post("/r/login/", {"phone": PHONE, "code": code_sent_to(PHONE), "action": "verify",
                                     "next": "https://evil.example/"})
    assert done["Location"] == "/r/me/"


def test_verify_page_and_claim_pages(client, tree):
    resident = signed_up()
    client.force_login(resident.user)
    household = tree.households[0]
    page = client.post("/r/me/verify/", {"name": "新住户", "id_number": "12345"})
    assert page.status_code == 400 and "身份证号应为18位" in page.content.decode()
    done = client.post("/r/me/verify/", {"name": "新住户", "household": household.code,
                                         "id_number": crypto.id_number_with_check("42030319900101127")})
    assert done.status_code == 302
    assert "正在等待网格员确认" in client.get("/r/me/").content.decode()
    claim = HouseholdClaim.objects.get()
    assert client.get(f"/r/claims/{claim.pk}/").status_code == 403  # a resident does not decide
    client.force_login(tree.user("grid_worker_B"))
    assert client.get(f"/r/claims/{claim.pk}/").status_code == 404  # another grid's
    assert "新住户" not in client.get("/r/claims/").content.decode()
    client.force_login(tree.user("grid_worker_A"))
    listing = client.get("/r/claims/").content.decode()
    assert "新住户" in listing and "420303" in listing and "0101127" not in listing  # masked
    refused = client.post(f"/r/claims/{claim.pk}/", {"decision": "refuse", "reason": ""})
    assert refused.status_code == 400 and "请说明未通过的原因" in refused.content.decode()
    assert client.post(f"/r/claims/{claim.pk}/", {"decision": "confirm"}).status_code == 302
    client.force_login(resident.user)
    assert "已绑定住户" in client.get("/r/me/").content.decode()


def test_households_of_a_building(client, tree):
    html = client.get("/r/households/", {"building": tree.buildings[0].code}).content.decode()
    assert tree.households[0].name in html and 'name="household_pick"' in html
    assert "居民" not in html  # door numbers, no names


def test_api_signin_me_claim_and_decide(client, tree):
    def post(url, body):
        return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")

    assert post("/api/portal/signin/code", {"phone": "123"}).status_code == 400
    assert post("/api/portal/signin/code", {"phone": PHONE}).status_code == 202
    throttled = post("/api/portal/signin/code", {"phone": PHONE})
    assert throttled.status_code == 429 and "过于频繁" in throttled.json()["detail"]
    signed = post("/api/portal/signin", {"phone": PHONE, "code": code_sent_to(PHONE)})
    assert signed.status_code == 200 and signed.json()["created"] is True and signed.json()["status"] == "unverified"
    me = client.get("/api/portal/me").json()
    assert me["phone"] == "139****5678" and me["household"] is None
    name, id_number = resident_id(tree, 3)
    result = post("/api/portal/me/claim", {"name": name, "id_number": id_number})
    assert result.json() == {"verified": True, "claim": None}
    assert client.get("/api/portal/me").json()["household"] == tree.residents[2].household.code
    assert client.get("/api/portal/claims").status_code == 403

    caches["shared"].clear()
    other = signed_up("13800002222")
    client.force_login(other.user)
    made = post("/api/portal/me/claim", {"name": "新住户", "household": tree.households[5].code,
                                         "id_number": crypto.id_number_with_check("42030319900101128")}).json()
    client.force_login(tree.user("grid_worker_A"))
    assert post(f"/api/portal/claims/{made['claim']}/decide", {"decision": "confirm"}).status_code == 404
    assert client.get("/api/portal/claims").json() == []
    client.force_login(tree.user("grid_worker_B"))
    listed = client.get("/api/portal/claims").json()
    assert [c["id"] for c in listed] == [made["claim"]] and listed[0]["id_number"].count("*") == 8
    decided = post(f"/api/portal/claims/{made['claim']}/decide", {"decision": "confirm"})
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
