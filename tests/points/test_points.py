"""Points from the events the platform already writes, the fraud guard, the store, and the books."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.ledger.models import Account, Transfer
from grassroots.points import selectors
from grassroots.points.models import Award, Offer, Redemption
from grassroots.points.receivers import catch_up
from grassroots.points.services import (
    award_decide,
    award_reverse,
    expire_points,
    lapse_codes,
    policy_save,
    redeem,
    redemption_cancel,
    verify_code,
)
from tests.ledger.test_ledger import assert_books_balance

from .conftest import scene

pytestmark = pytest.mark.django_db


def balance(user, community) -> int:
    account = Account.objects.filter(kind="person", owner=f"user:{user.pk}", community_code=community.code).first()
    return account.posted - account.held if account else 0


def test_a_confirmed_quick_report_pays_the_woodpecker_once(tree, rider, confirmed):
    report = confirmed(rider, 1)
    award = Award.objects.get(source=f"woodpeckers.report:{report.pk}")
    assert (award.status, award.points, len(award.photo_hash)) == ("paid", 5, 16)
    assert balance(rider, tree.communities[0]) == 5
    # the signal delivered again, and the worker's catch-up: still one payment
    from grassroots.points.receivers import on_report
    on_report(None, report=report)
    catch_up("test")
    assert Transfer.objects.filter(kind="earn").count() == 1
    assert_books_balance()


def test_the_same_photo_again_is_held_for_the_grid_worker(tree, rider, confirmed):
    confirmed(rider, 1)
    second = confirmed(rider, 2, photo=scene(1))
    award = Award.objects.get(source=f"woodpeckers.report:{second.pk}")
    assert award.status == "held" and "照片" in award.reasons[0]
    assert balance(rider, tree.communities[0]) == 5
    assert list(selectors.reviewable(tree.user("grid_worker_B"))) == []  # another grid's worker
    with pytest.raises(PermissionDenied):
        award_decide(award=award, actor=tree.user("grid_worker_B"), pay=True)
    with pytest.raises(ValidationError):
        award_decide(award=award, actor=tree.user("grid_worker_A"), pay=False)  # a refusal needs a reason
    assert list(selectors.reviewable(tree.user("grid_worker_A"))) == [award]
    award_decide(award=award, actor=tree.user("grid_worker_A"), pay=True)
    assert balance(rider, tree.communities[0]) == 10
    assert_books_balance()


def test_many_reports_from_one_account_in_an_hour_are_held(tree, rider, confirmed):
    policy_save(community=tree.communities[0], actor=tree.user("community_worker_1"),
                values={**{f: 5 for f in ("woodpecker_report", "volunteer_hour", "service_record", "wish_fulfilled",
                                          "case_rated", "meeting_attended")},
                        "expiry_months": 12, "guard_minutes": 60, "guard_per_account": 2, "guard_per_spot": 0,
                        "guard_spot_meters": 30})
    statuses = [Award.objects.get(source=f"woodpeckers.report:{confirmed(rider, s).pk}").status for s in (1, 2, 3)]
    assert statuses == ["paid", "paid", "held"]


def test_confirmed_volunteer_hours_pay_per_hour(tree, django_capture_on_commit_callbacks):
    from grassroots.volunteers.models import Signup
    from grassroots.volunteers.services import hours_confirm, signup
    from tests.factories import resident_user
    from tests.volunteers.conftest import activity as make_activity

    volunteer = resident_user(tree, 1)
    activity = make_activity.__wrapped__(tree)
    row = signup(activity=activity, user=volunteer)
    Signup.objects.filter(pk=row.pk).update(status="checked_out", hours="2.5", checked_out_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        hours_confirm(signup_row=Signup.objects.get(pk=row.pk), actor=tree.user("community_worker_1"))
    award = Award.objects.get(source=f"volunteers.signup:{row.pk}")
    assert (award.event, award.points) == ("volunteer_hour", 25)  # 10 an hour
    assert balance(volunteer, tree.communities[0]) == 25


def _closed_by_rating(tree, new_case, reporter, rater):
    from grassroots.cases import services as svc
    from grassroots.cases.models import Rating

    case = new_case(actor=reporter)
    cw1 = tree.user("community_worker_1")
    svc.case_accept(case=case, actor=cw1)
    svc.case_dispatch(case=case, actor=cw1, to_unit=tree.units["dept"])
    svc.case_take(case=case, actor=tree.user("dept_handler"))
    svc.case_reply(case=case, reply="已修好", actor=tree.user("dept_handler"))
    svc.case_verify(case=case, actor=tree.user("grid_worker_A"))
    svc.case_rate(case=case, rating=Rating.SATISFIED, actor=rater)
    return case


def test_rating_a_closed_case_pays_the_resident_once_and_a_call_back_pays_nobody(
        tree, new_case, django_capture_on_commit_callbacks):
    from grassroots.accounts.models import Role
    from tests.factories import make_user

    resident = make_user("resident_x", Role.RESIDENT, area=tree.households[0])
    with django_capture_on_commit_callbacks(execute=True):
        rated = _closed_by_rating(tree, new_case, resident, resident)
    assert Award.objects.get(source=f"cases.rated:{rated.pk}").points == 2
    assert balance(resident, tree.communities[0]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        called = _closed_by_rating(tree, new_case, resident, tree.user("community_worker_1"))  # 回访 by staff
    assert not Award.objects.filter(source=f"cases.rated:{called.pk}").exists()
    catch_up("test")  # the catch-up reads the events back: still nothing for the call-back, nothing twice
    assert Award.objects.filter(event="case_rated").count() == 1


def test_redeem_a_fee_voucher_verify_it_once_and_both_statements_show_it(tree, rider, confirmed, property_co):
    merchant, voucher, handler = property_co
    for seed in (1, 2):
        confirmed(rider, seed)
    made = redeem(offer=voucher, user=rider, key="req-1")
    assert redeem(offer=voucher, user=rider, key="req-1") == made  # a double click: one redemption
    assert len(made.code) == 8 and made.status == "held"
    assert balance(rider, tree.communities[0]) == 0  # 10 earned, 10 held
    assert Offer.objects.get(pk=voucher.pk).stock_left == 2
    with pytest.raises(PermissionDenied):
        verify_code(merchant=merchant, code=made.code, actor=tree.user("community_worker_1"))
    with pytest.raises(ValidationError):
        verify_code(merchant=merchant, code="00000000" if made.code != "00000000" else "11111111", actor=handler)
    done = verify_code(merchant=merchant, code=made.code, actor=handler)
    assert done.status == "settled"
    with pytest.raises(ValidationError, match="核销过"):
        verify_code(merchant=merchant, code=made.code, actor=handler)
    account = Account.objects.get(owner=f"user:{rider.pk}")
    lines = selectors.statement(account)
    assert [line["transfer__kind"] for line in lines] == ["settle", "earn", "earn"]
    assert lines[0]["balance_after"] == 0
    assert list(selectors.merchant_redemptions(merchant, status="settled")) == [done]
    assert selectors.books(tree.communities[0]) | {} == {"issued": 10, "redeemed": 10, "expired": 0, "outstanding": 0,
                                                         "held": 0, "people": 1, "balanced": True}
    assert_books_balance()


def test_not_enough_points_a_limit_and_an_empty_stock_are_refused_and_cost_nothing(tree, rider, confirmed, property_co):
    merchant, voucher, handler = property_co
    with pytest.raises(ValidationError, match="积分不足"):
        redeem(offer=voucher, user=rider, key="a")
    assert Offer.objects.get(pk=voucher.pk).stock_left == 3
    for seed in range(1, 6):
        confirmed(rider, seed)
    redeem(offer=voucher, user=rider, key="b")
    redeem(offer=voucher, user=rider, key="c")
    with pytest.raises(ValidationError, match="每人限兑"):
        redeem(offer=voucher, user=rider, key="d")
    assert Offer.objects.get(pk=voucher.pk).stock_left == 1
    assert Redemption.objects.count() == 2
    assert_books_balance()


def test_a_cancelled_or_lapsed_code_gives_points_and_stock_back(tree, rider, confirmed, property_co):
    merchant, voucher, handler = property_co
    for seed in range(1, 5):
        confirmed(rider, seed)
    first = redeem(offer=voucher, user=rider, key="a")
    redemption_cancel(redemption=first, user=rider)
    second = redeem(offer=voucher, user=rider, key="b")
    assert lapse_codes(now=timezone.now() + timedelta(days=8)) == 1
    second.refresh_from_db()
    assert (second.status, balance(rider, tree.communities[0])) == ("expired", 20)
    assert Offer.objects.get(pk=voucher.pk).stock_left == 3
    with pytest.raises(ValidationError):
        verify_code(merchant=merchant, code=second.code, actor=handler)
    assert_books_balance()


def test_points_expire_at_the_communitys_horizon_once_a_day(tree, rider, confirmed):
    confirmed(rider, 1)
    assert expire_points(day=timezone.localdate() + timedelta(days=200)) is not None
    assert balance(rider, tree.communities[0]) == 5
    run = expire_points(day=timezone.localdate() + timedelta(days=400))
    assert (run.accounts, run.points) == (1, 5)
    assert expire_points(day=timezone.localdate() + timedelta(days=400)) is None
    assert balance(rider, tree.communities[0]) == 0
    assert selectors.books(tree.communities[0])["expired"] == 5
    assert_books_balance()


def test_a_correction_takes_the_points_back_with_its_reason(tree, rider, confirmed):
    report = confirmed(rider, 1)
    award = Award.objects.get(source=f"woodpeckers.report:{report.pk}")
    with pytest.raises(PermissionDenied):
        award_reverse(award=award, actor=tree.user("community_worker_2"), reason="误判")
    award_reverse(award=award, actor=tree.user("community_worker_1"), reason="误判：问题不存在")
    assert balance(rider, tree.communities[0]) == 0
    assert Award.objects.get(pk=award.pk).status == "reversed"
    assert_books_balance()
