"""The life of a rating: compute keeps the inspectors' points, validation of an inspector's points,
submit needs every inspector's points, publish freezes and keeps the history, who may."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.core.models import AuditEntry
from grassroots.stars.models import StarRating, StarRatingEvent
from grassroots.stars.services import (
    scheme_ensure,
    star_inspector_score,
    star_rating_compute,
    star_rating_publish,
    star_rating_submit,
    star_ratings_compute_all,
)

from .conftest import YEAR, inspector_criteria

S = StarRating.Status


def test_default_scheme_covers_the_five_basics_with_100_points(scheme, world):
    criteria = list(scheme.criteria.all())
    assert sum(c.max_points for c in criteria) == 100
    assert {c.basic for c in criteria} == {"organisation", "team", "activities", "system", "position"}
    assert 9 <= len(criteria) <= 12
    again = scheme_ensure(district_code="420303", year=YEAR, actor=world.tree.user("street_admin_1"))
    assert again.pk == scheme.pk  # a second click changes nothing
    next_year = scheme_ensure(district_code="420303", year=YEAR + 1, actor=world.tree.user("district_admin"))
    assert [c.name for c in next_year.criteria.all()] == [c.name for c in criteria]  # last year's criteria carried


def test_compute_scores_the_automatic_criteria_and_keeps_the_inspectors(scheme, world):
    admin = world.tree.user("street_admin_1")
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    members = scheme.criteria.get(source="members")
    assert rating.scores.get(criterion=members).points == Decimal("1.0")  # 1 member of a target 10 → 1 of 10 points
    organisation = inspector_criteria(scheme)[0]
    assert rating.scores.get(criterion=organisation).points is None
    star_inspector_score(rating=rating, criterion=organisation, points="8.5", note="换届按期", actor=admin)
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    assert rating.scores.get(criterion=organisation).points == Decimal("8.5")
    assert rating.version == 1 and StarRating.objects.filter(org=world.branches["A"]).count() == 1
    total = sum(s.points or 0 for s in rating.scores.all())
    assert rating.total == total
    assert Decimal(rating.subtotals["organisation"]) == Decimal("9.5")
    assert list(rating.events.values_list("action", flat=True)) == ["computed", "scored", "computed"]


@pytest.mark.parametrize(("points", "message"), [
    ("", "请填写“组织设置与换届”的得分（0–10 分）"),
    ("八分", "得分须为数字"),
    ("11", "得分须在 0–10 分之间"),
    ("-1", "得分须在 0–10 分之间"),
    ("8.25", "得分最多保留一位小数"),
    ("NaN", "得分须在 0–10 分之间"),
])
def test_inspector_points_are_checked_with_a_message_naming_the_criterion(scheme, world, points, message):
    admin = world.tree.user("street_admin_1")
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    with pytest.raises(ValidationError) as exc:
        star_inspector_score(rating=rating, criterion=inspector_criteria(scheme)[0], points=points, actor=admin)
    assert message in exc.value.message_dict["points"][0]


def test_an_automatic_criterion_cannot_be_scored_by_hand(scheme, world):
    admin = world.tree.user("street_admin_1")
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    with pytest.raises(ValidationError) as exc:
        star_inspector_score(rating=rating, criterion=scheme.criteria.get(source="meetings"), points="5", actor=admin)
    assert "自动计算" in exc.value.message_dict["criterion"][0]


def test_the_same_points_twice_write_one_event(scheme, world):
    admin = world.tree.user("street_admin_1")
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    c = inspector_criteria(scheme)[0]
    for _ in range(2):
        star_inspector_score(rating=rating, criterion=c, points="7", note="", actor=admin)
    assert rating.events.filter(action="scored").count() == 1


def test_who_may_rate(scheme, world, secretary_a, street2_admin):
    tree = world.tree
    with pytest.raises(PermissionDenied):
        star_rating_compute(scheme=scheme, org=world.branches["E"], actor=tree.user("street_admin_1"))
    with pytest.raises(PermissionDenied):
        star_rating_compute(scheme=scheme, org=world.branches["A"], actor=secretary_a)
    with pytest.raises(PermissionDenied):
        star_rating_compute(scheme=scheme, org=world.branches["A"], actor=tree.user("community_worker_1"))
    rating = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=tree.user("district_admin"))
    with pytest.raises(PermissionDenied):
        star_inspector_score(rating=rating, criterion=inspector_criteria(scheme)[0], points="5", actor=street2_admin)
    with pytest.raises(PermissionDenied):
        star_rating_publish(scheme=scheme, actor=tree.user("street_admin_1"))
    with pytest.raises(ValidationError):
        star_rating_compute(scheme=scheme, org=world.committees["c1"], actor=tree.user("district_admin"))


def _rate_everything(scheme, world, points="8"):
    admin = world.tree.user("district_admin")
    assert star_ratings_compute_all(scheme=scheme, actor=admin) == 9  # eight grid branches and the red property's
    for rating in StarRating.objects.filter(scheme=scheme, current=True):
        for c in inspector_criteria(scheme):
            star_inspector_score(rating=rating, criterion=c, points=points, actor=admin)
    return admin


def test_submit_needs_every_inspector_score_and_publish_needs_every_branch_submitted(scheme, world):
    admin = world.tree.user("district_admin")
    star_ratings_compute_all(scheme=scheme, actor=admin, under=world.tree.streets[0].code)
    with pytest.raises(ValidationError) as exc:
        star_rating_submit(scheme=scheme, actor=admin)
    assert "还有考评项未评分" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        star_rating_publish(scheme=scheme, actor=admin)
    assert "还没有评定" in exc.value.messages[0] and "还未上报" in exc.value.messages[0]
    assert not StarRating.objects.filter(status=S.PUBLISHED).exists()


def test_a_street_admin_computes_and_submits_only_their_street(scheme, world):
    admin = world.tree.user("street_admin_1")
    assert star_ratings_compute_all(scheme=scheme, actor=admin) == 5  # grids A–D and the red property's branch
    for rating in StarRating.objects.filter(scheme=scheme):
        for c in inspector_criteria(scheme):
            star_inspector_score(rating=rating, criterion=c, points="6", actor=admin)
    assert star_rating_submit(scheme=scheme, actor=admin) == 5
    assert set(StarRating.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_publish_freezes_and_a_recompute_makes_a_new_version(scheme, world):
    admin = _rate_everything(scheme, world)
    # the audit trail is append-only and outlives other tests' flushes: count this test's rows
    audited = AuditEntry.objects.filter(action="stars.publish").count()
    assert star_rating_submit(scheme=scheme, actor=admin) == 9
    assert star_rating_publish(scheme=scheme, actor=admin) == 9
    scheme.refresh_from_db()
    assert scheme.published
    assert star_rating_publish(scheme=scheme, actor=admin) == 0  # a second click changes nothing
    assert AuditEntry.objects.filter(action="stars.publish").count() == audited + 1

    v1 = StarRating.objects.get(org=world.branches["A"], scheme=scheme)
    c = inspector_criteria(scheme)[0]
    with pytest.raises(ValidationError) as exc:
        star_inspector_score(rating=v1, criterion=c, points="2", actor=admin)
    assert "已发布" in exc.value.messages[0]

    v2 = star_rating_compute(scheme=scheme, org=world.branches["A"], actor=admin)
    assert (v2.version, v2.status, v2.current) == (2, S.DRAFT, True)
    v1.refresh_from_db()
    assert (v1.status, v1.current) == (S.PUBLISHED, False)  # the public still sees version 1
    assert v2.scores.get(criterion=c).points == Decimal("8.0")  # the inspectors' points carried over
    star_inspector_score(rating=v2, criterion=c, points="2", actor=admin)
    v2.refresh_from_db()
    assert v2.total == v1.total - 6

    with pytest.raises(ValidationError):  # the new version must be submitted first
        star_rating_publish(scheme=scheme, actor=admin)
    star_rating_submit(scheme=scheme, actor=admin)
    assert star_rating_publish(scheme=scheme, actor=admin) == 1
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (S.SUPERSEDED, S.PUBLISHED)
    assert v1.scores.get(criterion=c).points == Decimal("8.0")  # the old version's figures are kept as they were
    actions = list(StarRatingEvent.objects.filter(rating__org=world.branches["A"]).order_by("pk")
                   .values_list("rating__version", "action"))
    assert (1, "published") in actions and (1, "superseded") in actions
    assert (2, "versioned") in actions and (2, "published") in actions
    event = v2.events.get(action="scored")
    assert event.before["scores"][str(c.pk)] == "8.0" and event.after["scores"][str(c.pk)] == "2.0"


def test_a_large_scope_is_computed_by_the_worker_and_a_second_click_waits_for_the_same_job(scheme, world, monkeypatch,
                                                                                            client_as):
    from grassroots.core.jobs import tasks
    from grassroots.stars import jobs
    from grassroots.stars.models import StarComputeJob

    monkeypatch.setattr(jobs, "SYNC_LIMIT", 3)
    client = client_as(world.tree.user("district_admin"))
    for _ in range(2):
        assert client.post("/stars/", {"action": "compute", "year": YEAR}).status_code == 302
    job = StarComputeJob.objects.get()
    assert (job.status, job.total) == ("queued", 9)
    assert not StarRating.objects.exists()
    assert "后台计算" in client.get(f"/stars/?year={YEAR}").content.decode()
    assert tasks()["stars.compute"]("test-worker") is True
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("done", 9)
    assert StarRating.objects.filter(scheme=scheme, current=True).count() == 9
    assert tasks()["stars.compute"]("test-worker") is False
    small, n = jobs.star_compute_request(scheme=scheme, actor=world.tree.user("street_admin_1"),
                                         under=world.tree.communities[0].code)
    assert small is None and n == 3  # few branches: computed while the page waits
