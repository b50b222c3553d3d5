"""The points pages and API as their users meet them, and what each may not see: another person's
statement and codes, another merchant's redemptions, another community's books."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots.core.models import AuditEntry
from grassroots.points.models import Award, Redemption
from grassroots.points.services import redeem
from tests.factories import make_user
from tests.test_district_code import rows_without_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(tree, rider, confirmed):
    for seed in (1, 2, 3):
        confirmed(rider, seed)
    return rider


def test_the_woodpecker_sees_balance_and_statement_and_exports_it(client, earned):
    client.force_login(earned)
    page = client.get("/points/").content.decode()
    assert 'data-available="15"' in page and "随手拍" in page and "余额 15" in page
    response = client.get("/points/statement.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "事项", "变动", "变动后余额") and [r[3] for r in rows[1:]] == [15, 10, 5]
    assert "我的积分" in client.get("/r/me/").content.decode()


def test_redeem_from_the_store_twice_with_one_key_then_the_merchant_verifies(client, tree, earned, property_co):
    merchant, voucher, handler = property_co
    client.force_login(earned)
    assert "物业费抵扣券10元" in client.get("/points/store/").content.decode()
    first = client.post(f"/points/offers/{voucher.pk}/redeem/", {"key": "tok-1"})
    again = client.post(f"/points/offers/{voucher.pk}/redeem/", {"key": "tok-1"})
    assert first["Location"] == again["Location"] and Redemption.objects.count() == 1
    row = Redemption.objects.get()
    page = client.get(first["Location"]).content.decode()
    assert row.code[:4] in page and "<svg" in page
    client.force_login(handler)
    assert client.get("/points/merchant/")["Location"] == f"/points/merchant/{merchant.pk}/"
    done = client.post(f"/points/merchant/{merchant.pk}/", {"code": f"{row.code[:4]} {row.code[4:]}"})
    assert done.status_code == 302
    twice = client.post(f"/points/merchant/{merchant.pk}/", {"code": row.code})
    assert twice.status_code == 400 and "核销过" in twice.content.decode()
    wrong = client.post(f"/points/merchant/{merchant.pk}/", {"code": "12ab"})
    assert wrong.status_code == 400 and "8位数字" in wrong.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/points/merchant/{merchant.pk}/redemptions.xlsx").content)).active
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["已核销"]
    client.force_login(earned)
    assert "兑换核销" in client.get("/points/").content.decode() or "物业费抵扣券" in client.get("/points/").content.decode()


def verify_chains() -> None:
    call_command("audit_verify", stdout=io.StringIO())  # raises CommandError on a broken link


def test_the_statement_export_is_audited_with_what_left(client, tree, earned):
    client.force_login(earned)
    response = client.get("/points/statement.xlsx", {"c": tree.communities[0].code})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    audit = AuditEntry.objects.get(action="points.statement.export")
    assert (audit.actor, audit.object_type, audit.district_code) == (earned, "ledger.account", "420303")
    assert audit.detail["rows"] == len(rows) - 1 == 3
    assert audit.detail["fields"] == list(rows[0]) and audit.detail["unmasked"] == []
    assert audit.detail["filters"] == {"community": tree.communities[0].code}
    verify_chains()


def test_the_merchant_redemptions_export_is_audited_with_what_left(client, tree, earned, property_co):
    merchant, voucher, handler = property_co
    redeem(offer=voucher, user=earned, key="k1")
    client.force_login(handler)
    response = client.get(f"/points/merchant/{merchant.pk}/redemptions.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    audit = AuditEntry.objects.get(action="points.redemptions.export")
    assert (audit.actor, audit.object_type, audit.object_id) == (handler, "points.merchant", str(merchant.pk))
    assert audit.detail["rows"] == len(rows) - 1 == 1
    assert audit.detail["filters"] == {"merchant": str(merchant.pk), "month": f"{timezone.localdate():%Y-%m}"}
    client.get(f"/points/merchant/{merchant.pk}/redemptions.xlsx", {"month": "2020-01"})  # another month: none
    assert AuditEntry.objects.get(action="points.redemptions.export", detail__filters__month="2020-01").detail[
        "rows"] == 0
    verify_chains()


def test_the_api_redeems_once_per_key_and_verifies_once(client, tree, earned, property_co):
    merchant, voucher, handler = property_co
    client.force_login(earned)
    assert client.get("/api/points/me").json()[0]["available"] == 15
    made = client.post(f"/api/points/offers/{voucher.pk}/redeem", json.dumps({"key": "app-1"}),
                       content_type="application/json")
    again = client.post(f"/api/points/offers/{voucher.pk}/redeem", json.dumps({"key": "app-1"}),
                        content_type="application/json")
    assert made.status_code == again.status_code == 201 and made.json()["id"] == again.json()["id"]
    code = made.json()["code"]
    lines = client.get("/api/points/me/statement", {"community": tree.communities[0].code}).json()
    assert [line["balance_after"] for line in lines] == [15, 10, 5]
    client.force_login(handler)
    ok = client.post(f"/api/points/merchants/{merchant.pk}/verify", json.dumps({"code": code}),
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "settled" and ok.json()["code"] == ""
    assert client.post(f"/api/points/merchants/{merchant.pk}/verify", json.dumps({"code": code}),
                       content_type="application/json").status_code == 400


def test_nobody_reads_another_persons_statement_or_codes(client, tree, earned, property_co):
    merchant, voucher, handler = property_co
    row = redeem(offer=voucher, user=earned, key="k")
    other = make_user("neighbour")
    client.force_login(other)
    assert 'data-available' not in client.get(f"/points/?c={tree.communities[0].code}").content.decode()
    assert client.get(f"/points/codes/{row.pk}/").status_code == 404
    assert client.post(f"/points/codes/{row.pk}/").status_code == 404
    assert client.get("/api/points/me/statement", {"community": tree.communities[0].code}).status_code == 404
    assert client.get("/api/points/redemptions").json() == []
    assert client.post(f"/api/points/redemptions/{row.pk}/cancel").status_code == 404
    assert client.get("/points/statement.xlsx").status_code == 404
    Redemption.objects.get(pk=row.pk, status="held")


def test_a_merchant_sees_only_its_own_redemptions(client, tree, earned, property_co):
    merchant, voucher, handler = property_co
    row = redeem(offer=voucher, user=earned, key="k")
    from grassroots.points.services import merchant_save
    make_user("barber")
    shop = merchant_save(community=tree.communities[0], actor=tree.user("community_worker_1"), name="理发店",
                         kind="shop", handlers="barber")
    client.force_login(shop.handlers.get())
    assert client.get(f"/points/merchant/{merchant.pk}/").status_code == 404
    assert client.get(f"/points/merchant/{merchant.pk}/redemptions.xlsx").status_code == 404
    assert client.post(f"/points/merchant/{shop.pk}/", {"code": row.code}).status_code == 400  # not its code
    assert client.post(f"/api/points/merchants/{merchant.pk}/verify", json.dumps({"code": row.code}),
                       content_type="application/json").status_code == 404
    assert client.get(f"/api/points/merchants/{merchant.pk}/redemptions").status_code == 404
    assert client.get(f"/api/points/merchants/{shop.pk}/redemptions").json() == []
    Redemption.objects.get(pk=row.pk, status="held")
    assert rows_without_district() == {}  # the merchants' handlers carry their merchant's district


def test_a_community_sees_only_its_own_books(client, tree, earned):
    c1 = tree.communities[0]
    client.force_login(tree.user("community_worker_2"))
    assert client.get(f"/points/community/{c1.code}/").status_code == 404
    assert client.get(f"/points/community/{c1.code}/books.xlsx").status_code == 404
    assert client.get(f"/api/points/communities/{c1.code}/books").status_code == 404
    award = Award.objects.first()
    assert client.post(f"/points/community/{c1.code}/", {"action": "reverse", "award": award.pk,
                                                         "reason": "x"}).status_code == 404
    client.force_login(tree.user("community_worker_1"))
    books = client.get(f"/api/points/communities/{c1.code}/books").json()
    assert (books["issued"], books["outstanding"], books["balanced"]) == (15, 15, True)
    page = client.get(f"/points/community/{c1.code}/").content.decode()
    assert 'data-books="issued">15<' in page
    assert client.get("/points/community/")["Location"] == f"/points/community/{c1.code}/"


def test_the_community_sets_rules_and_merchants_with_clear_errors(client, tree):
    c1 = tree.communities[0]
    client.force_login(tree.user("community_worker_1"))
    bad = client.post(f"/points/community/{c1.code}/", {"action": "policy", "woodpecker_report": "-1"})
    assert bad.status_code == 400 and "之间的整数" in bad.content.decode()
    nobody = client.post(f"/points/community/{c1.code}/", {"action": "merchant", "name": "<b>小店</b>", "kind": "shop",
                                                           "handlers": "ghost"})
    assert nobody.status_code == 400 and "没有这些账号：ghost" in nobody.content.decode()
    ok = client.post(f"/points/community/{c1.code}/", {"action": "merchant", "name": "<b>小店</b>", "kind": "shop",
                                                       "handlers": "nobody"})
    assert ok.status_code == 302
    assert "&lt;b&gt;小店" in client.get(f"/points/community/{c1.code}/").content.decode()


def test_the_grid_worker_pays_held_points_only_in_their_grid(client, tree, rider, confirmed):
    from .conftest import scene

    confirmed(rider, 1)
    held = confirmed(rider, 2, photo=scene(1))
    award = Award.objects.get(source=f"woodpeckers.report:{held.pk}")
    client.force_login(tree.user("grid_worker_B"))
    assert f'data-award="{award.pk}"' not in client.get("/points/review/").content.decode()
    assert client.post("/points/review/", {"award": award.pk, "action": "pay"}).status_code == 404
    client.force_login(tree.user("grid_worker_A"))
    assert f'data-award="{award.pk}"' in client.get("/points/review/").content.decode()
    client.post("/points/review/", {"award": award.pk, "action": "refuse", "note": ""})
    assert Award.objects.get(pk=award.pk).status == "held"  # a refusal needs its reason
    client.post("/points/review/", {"award": award.pk, "action": "refuse", "note": "同一张照片重复上报"})
    assert Award.objects.get(pk=award.pk).status == "refused"


def test_a_handler_adds_an_offer_and_bad_input_is_explained(client, tree, property_co):
    merchant, voucher, handler = property_co
    client.force_login(handler)
    bad = client.post(f"/points/merchant/{merchant.pk}/offers/new/", {
        "kind": "fee_voucher", "title": "抵扣券", "price": "abc", "stock": "10", "valid_from": "2026-01-01",
        "valid_until": "2025-01-01"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "所需积分请填写" in text and "不能早于" in text and "抵扣金额" in text
    ok = client.post(f"/points/merchant/{merchant.pk}/offers/new/", {
        "kind": "service", "title": "上门维修1小时", "price": "50", "stock": "10", "per_person": "1", "code_days": "7",
        "valid_from": "2026-01-01", "valid_until": "2099-01-01", "active": "1"})
    assert ok.status_code == 302 and merchant.offers.filter(title="上门维修1小时", stock_left=10).exists()
    less = client.post(f"/points/merchant/{merchant.pk}/offers/{voucher.pk}/", {
        "kind": "fee_voucher", "title": voucher.title, "price": "10", "face_value": "10", "stock": "0",
        "per_person": "2", "code_days": "7", "valid_from": "2020-01-01", "valid_until": "2099-12-31", "active": "1"})
    assert less.status_code == 302  # nothing redeemed yet: the stock may go to zero


def test_a_merchant_may_be_a_unit_of_the_community_and_no_other(client, tree):
    c1, c2 = tree.communities[0], tree.communities[1]
    property_unit = tree.units["property"]  # placed in community 1
    client.force_login(tree.user("community_worker_1"))
    assert property_unit.name in client.get(f"/points/community/{c1.code}/").content.decode()
    ok = client.post(f"/points/community/{c1.code}/", {"action": "merchant", "name": "阳光物业", "kind": "property",
                                                       "unit": property_unit.pk})
    assert ok.status_code == 302 and c1.merchants.get().unit == property_unit
    client.force_login(tree.user("community_worker_2"))
    refused = client.post(f"/points/community/{c2.code}/", {"action": "merchant", "name": "阳光物业",
                                                            "kind": "property", "unit": property_unit.pk})
    assert refused.status_code == 400 and "没有在本社区报到" in refused.content.decode()
