"""The merge journey: the board and the case page offer "same as #N", the dispatcher merges (once)
or dismisses; the duplicate's resident is told, follows the original and rates it."""

import pytest
from django.urls import reverse

from grassroots.cases.models import Case, CaseEvent, Rating
from grassroots.cases.services import case_accept, case_reply, case_start, case_verify
from grassroots.duplicates.models import DuplicateCandidate, MergedRating
from grassroots.notifications.models import OutboxMessage

from .conftest import LAMP, LAMP_AGAIN


@pytest.fixture
def pair(report):
    first = report(LAMP)
    second = report(LAMP_AGAIN, lat=32.6051, lng=110.7051, contact_phone="13900002222")
    return first, second, DuplicateCandidate.objects.get(case=second, candidate=first)


def test_the_board_says_same_as_n(pair, tree, client_as):
    first, second, row = pair
    page = client_as(tree.user("community_worker_1")).get(reverse("cases:board")).content.decode()
    assert f"疑似与 #{first.code} 重复" in page
    assert reverse("duplicates:pair", args=[row.pk]) in page


def test_the_pair_page_shows_both_texts_side_by_side_with_score_and_distance(pair, tree, client_as):
    first, second, row = pair
    page = client_as(tree.user("community_worker_1")).get(reverse("duplicates:pair", args=[row.pk])).content.decode()
    assert LAMP in page and LAMP_AGAIN in page
    assert f"文字相似 {round(row.score * 100)}%" in page and "相距" in page
    assert "不是重复" in page and f"把 {second.code} 合并到 {first.code}" in page


def test_the_case_page_shows_the_pair_from_both_sides(pair, tree, client_as):
    first, second, _row = pair
    client = client_as(tree.user("community_worker_1"))
    assert f"疑似与 #{first.code} 重复" in client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert f"#{second.code} 疑似与本诉求重复" in client.get(reverse("cases:detail", args=[first.pk])).content.decode()


def test_merging_twice_merges_once_and_tells_the_resident(pair, tree, client_as):
    first, second, row = pair
    client = client_as(tree.user("community_worker_1"))
    url = reverse("duplicates:merge", args=[row.pk])
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)
    assert "无需重复操作" in again.content.decode()
    second.refresh_from_db()
    assert second.status == Case.Status.MERGED and second.merged_into_id == first.pk
    assert CaseEvent.objects.filter(case=second, action="merge").count() == 1
    sms = OutboxMessage.objects.filter(key__startswith=f"case:{second.pk}:resident:merge:")
    assert sms.count() == 1 and "合并办理" in sms.get().text
    # the pair is no longer offered on the board
    assert f"疑似与 #{first.code} 重复" not in client.get(reverse("cases:board")).content.decode()


def test_the_merged_resident_follows_the_original_and_rates_it(pair, tree, client):
    first, second, _row = pair
    cw, gw = tree.user("community_worker_1"), tree.user("grid_worker_A")
    from grassroots.duplicates.services import duplicate_merge

    duplicate_merge(case=second, into=first, actor=cw)
    track = reverse("portal:track", args=[second.tracking_code])
    page = client.get(track).content.decode()
    assert "已合并办理" in page and f"诉求 {first.code}" in page
    assert "答复后，您可以在这里评价" in page
    assert "办理时限" not in page  # its own time limit no longer runs
    assert first.tracking_code not in page and LAMP not in page  # nothing of the other resident's
    case_accept(case=first, actor=cw)
    case_start(case=first, actor=gw)
    case_reply(case=first, reply="已更换3栋2单元楼道灯泡", actor=gw)
    case_verify(case=first, actor=cw)
    page = client.get(track).content.decode()
    assert "已更换3栋2单元楼道灯泡" in page and 'id="merged-rate"' in page
    rate = reverse("duplicates:rate", args=[second.tracking_code])
    client.post(rate, {"rating": Rating.BASIC, "comment": "修得挺快"})
    client.post(rate, {"rating": Rating.UNSATISFIED})  # a second submit is refused
    extra = MergedRating.objects.get(case=second)
    assert (extra.original_id, extra.rating) == (first.pk, Rating.BASIC)
    first.refresh_from_db()
    assert first.rating == "" and first.status == Case.Status.VERIFIED  # the original's own reporter rates it
    assert CaseEvent.objects.filter(case=first, action="comment", note__contains="基本满意").exists()
    assert "您的评价：基本满意" in client.get(track).content.decode()
    staff = client.get(reverse("cases:detail", args=[first.pk]))
    assert staff.status_code in (302, 404)  # the resident's browser is not staff


def test_the_original_shows_its_extra_ratings_to_staff(pair, tree, client_as):
    first, second, _row = pair
    MergedRating.objects.create(case=second, original=first, rating=Rating.SATISFIED, district_code=first.district_code)
    page = client_as(tree.user("community_worker_1")).get(reverse("cases:detail", args=[first.pk])).content.decode()
    assert "合并诉求的居民评价" in page and "满意率只计本诉求反映人的评价" in page


def test_a_rating_before_the_original_is_answered_is_refused(pair, tree, client):
    first, second, _row = pair
    from grassroots.duplicates.services import duplicate_merge

    duplicate_merge(case=second, into=first, actor=tree.user("community_worker_1"))
    client.post(reverse("duplicates:rate", args=[second.tracking_code]), {"rating": Rating.SATISFIED})
    assert not MergedRating.objects.exists()


def test_dismissing_hides_the_pair(pair, tree, client_as):
    first, second, row = pair
    client = client_as(tree.user("community_worker_1"))
    client.post(reverse("duplicates:dismiss", args=[row.pk]))
    row.refresh_from_db()
    assert row.dismissed_by == tree.user("community_worker_1") and row.dismissed_at is not None
    assert f"疑似与 #{first.code} 重复" not in client.get(reverse("cases:board")).content.decode()


def test_a_grid_worker_may_see_but_not_decide(pair, tree, client_as):
    first, second, row = pair
    client = client_as(tree.user("grid_worker_A"))
    page = client.get(reverse("duplicates:pair", args=[row.pk])).content.decode()
    assert "只有新诉求所在社区、街道的受理派单人员" in page
    client.post(reverse("duplicates:merge", args=[row.pk]))
    client.post(reverse("duplicates:dismiss", args=[row.pk]))
    second.refresh_from_db()
    row.refresh_from_db()
    assert second.status == Case.Status.REPORTED and row.dismissed_at is None
