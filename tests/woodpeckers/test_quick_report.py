"""The quick report: photo + location + one category, through the case loop's own intake; a resend
with the same key finds the same case; the grid worker judges it and other apps hear the judgement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.cases.models import Case, CaseAttachment
from grassroots.notifications.models import Notification
from grassroots.woodpeckers import signals
from grassroots.woodpeckers.models import QuickReport, Woodpecker
from grassroots.woodpeckers.services import quick_report_judge, quick_report_submit
from tests.factories import make_user

from .conftest import IN_GRID_A, IN_GRID_B, photo

pytestmark = pytest.mark.django_db
KEY = "3f1c9a0e-5b7d-4c2e-9a1b-0c2d4e6f8a10"


def submit(user, key=KEY, *, at=IN_GRID_A, category="fire", **kwargs):
    values = {"reporter": user, "key": key, "category": category, "lat": at[0] if at else "",
              "lng": at[1] if at else "", "photo": photo()}
    values.update(kwargs)
    return quick_report_submit(**values)


def test_a_report_becomes_a_woodpecker_case_with_its_photo(tree, rider):
    done = submit(rider, note="3栋门口电动车堵住消防通道")
    case = done.report.case
    assert done.created and case.channel == "woodpecker" and case.status == "reported"
    assert case.area == tree.grid("A") and case.category.name == "消防安全"
    assert case.title.startswith("随手拍：消防通道") and case.body == "3栋门口电动车堵住消防通道"
    assert CaseAttachment.objects.filter(case=case).count() == 1
    assert done.report.status == "pending" and done.report.woodpecker.name == "张骑手"
    assert done.report.area_code == tree.grid("A").code


def test_a_resend_with_the_same_key_finds_the_same_case(tree, rider):
    first = submit(rider)
    again = submit(rider)
    assert not again.created and again.report.pk == first.report.pk
    assert Case.objects.count() == 1 and CaseAttachment.objects.count() == 1
    other = submit(rider, key="another-key-0000000001")
    assert other.created and Case.objects.count() == 2


def test_only_approved_woodpeckers_and_grid_staff_may_report(tree, rider):
    stranger = make_user("stranger")
    with pytest.raises(PermissionDenied, match="还不是啄木鸟队员"):
        submit(stranger)
    Woodpecker.objects.filter(user=rider).update(status="applied")
    with pytest.raises(PermissionDenied):
        submit(rider)
    patrol = submit(tree.user("grid_worker_A"))  # grid staff use the same app: a patrol case
    assert patrol.report.case.channel == "patrol" and patrol.report.status == "patrol"
    with pytest.raises(PermissionDenied):  # not their grid
        submit(tree.user("grid_worker_A"), key="grid-b-report-000000001", at=IN_GRID_B)
    assert Case.objects.count() == 1


def test_bad_input_is_named_and_nothing_is_saved(tree, rider):
    cases = [
        ({"key": "short"}, "key"), ({"category": "ufo"}, "category"), ({"note": "长" * 501}, "note"),
        ({"at": (39.9, 116.4)}, "location"), ({"at": None}, "location"), ({"lat": "abc", "lng": "1"}, "location"),
        ({"lat": "200", "lng": "110"}, "location"), ({"photo": None}, "photos"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as err:
            submit(rider, **change)
        assert field in err.value.message_dict, (change, err.value.message_dict)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as err:
        submit(rider, photo=SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"))
    assert "photos" in err.value.message_dict
    assert not Case.objects.exists() and not QuickReport.objects.exists()


def test_the_photos_own_location_serves_when_the_phone_had_none(tree, rider):
    done = submit(rider, at=None, photo=photo(gps=IN_GRID_A))
    assert done.report.case.area == tree.grid("A")


def test_the_grid_worker_judges_and_others_hear_it_after_commit(tree, rider, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, report, **kwargs):
        heard.append(report)

    signals.report_judged.connect(listener)
    try:
        report = submit(rider).report
        with django_capture_on_commit_callbacks(execute=True):
            quick_report_judge(report=report, actor=tree.user("grid_worker_A"), valid=True)
        assert [r.pk for r in heard] == [report.pk] and heard[0].status == "valid"
        told = Notification.objects.filter(recipient=rider).values_list("title", flat=True)
        assert "随手拍已核实：有效" in told
        with pytest.raises(ValidationError, match="已核实"):
            quick_report_judge(report=report, actor=tree.user("grid_worker_A"), valid=False, reason="重复")
    finally:
        signals.report_judged.disconnect(listener)


def test_not_valid_needs_a_reason_and_only_the_grid_may_judge(tree, rider):
    report = submit(rider).report
    with pytest.raises(ValidationError, match="原因"):
        quick_report_judge(report=report, actor=tree.user("grid_worker_A"), valid=False, reason="")
    for outsider in ("grid_worker_B", "community_worker_2", "dept_handler", "rider"):
        user = rider if outsider == "rider" else tree.user(outsider)
        with pytest.raises(PermissionDenied):
            quick_report_judge(report=report, actor=user, valid=True)
    quick_report_judge(report=report, actor=tree.user("community_worker_1"), valid=False, reason="现场无此问题")
    report.refresh_from_db()
    assert report.status == "invalid" and report.reason == "现场无此问题"


def test_a_listener_that_fails_does_not_undo_the_judgement(tree, rider, django_capture_on_commit_callbacks):
    def broken(sender, report, **kwargs):
        raise RuntimeError("points are down")

    signals.report_judged.connect(broken)
    try:
        report = submit(rider).report
        with django_capture_on_commit_callbacks(execute=True):
            quick_report_judge(report=report, actor=tree.user("grid_worker_A"), valid=True)
        report.refresh_from_db()
        assert report.status == "valid"
    finally:
        signals.report_judged.disconnect(broken)
