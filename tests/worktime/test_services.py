"""The calendar tables, the services that edit them, and deadlines read through the database."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.core.models import AuditEntry
from grassroots.worktime.calendar import TZ, CalendarMissing
from grassroots.worktime.models import CalendarDay, CalendarYear, DayKind, LimitUnit, TimeLimit, Urgency
from grassroots.worktime.selectors import (
    can_edit_calendar,
    deadline_for,
    fraction_elapsed_for,
    overrides_load,
    year_status,
)
from grassroots.worktime.services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_set,
    time_limit_set,
)

pytestmark = [pytest.mark.django_db, pytest.mark.calendar_as_shipped]


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def admin_user(tree):
    return tree.user("district_admin")


def enter_2027_new_year(actor) -> None:
    """A made-up 2027 New Year arrangement, as an administrator would type it in."""
    for day in (1, 2, 3):
        calendar_day_set(date=date(2027, 1, day), kind=DayKind.HOLIDAY, name="元旦", actor=actor)
    calendar_day_set(date=date(2027, 1, 9), kind=DayKind.WORKDAY, name="元旦", actor=actor)


# ---------------------------------------------------------------------------------- seeds


def test_time_limits_are_seeded_with_12345_defaults():
    rows = {t.urgency: (t.label, t.amount, t.unit) for t in TimeLimit.objects.all()}
    assert rows == {
        "emergency": ("紧急", 2, "hours"),
        "utility": ("水电气热", 24, "hours"),
        "general": ("一般", 7, "working_days"),
        "complex": ("复杂", 15, "working_days"),
    }
    assert [t.urgency for t in TimeLimit.objects.all()] == ["emergency", "utility", "general", "complex"]


def test_deadlines_from_the_seeded_limits():
    start = sh(2026, 9, 30, 10, 0)
    assert deadline_for(start=start, urgency=Urgency.GENERAL) == sh(2026, 10, 15, 17, 30)
    assert deadline_for(start=start, urgency=Urgency.EMERGENCY) == sh(2026, 9, 30, 12, 0)
    assert deadline_for(start=sh(2026, 11, 20, 23, 0), urgency=Urgency.UTILITY) == sh(2026, 11, 21, 23, 0)


# -------------------------------------------------------------------------- who may edit


def test_only_superusers_and_district_managers_may_edit(tree):
    assert can_edit_calendar(tree.user("root"))
    assert can_edit_calendar(tree.user("district_admin"))
    for name in ("street_admin_1", "community_worker_1", "grid_worker_A", "dept_handler", "nobody"):
        assert not can_edit_calendar(tree.user(name)), name
        with pytest.raises(PermissionDenied):
            calendar_day_set(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", actor=tree.user(name))
        with pytest.raises(PermissionDenied):
            time_limit_set(urgency="general", amount=5, unit="working_days", actor=tree.user(name))
    assert not CalendarDay.objects.exists()


# ------------------------------------------------------------------------------ services


def test_calendar_day_set_writes_the_row_and_an_audit_entry(admin_user):
    row = calendar_day_set(date=date(2027, 10, 1), kind=DayKind.HOLIDAY, name=" 国庆节 ", note="国办通知",
                           actor=admin_user)
    assert (row.kind, row.name, row.updated_by) == ("holiday", "国庆节", admin_user)
    entry = AuditEntry.objects.get(action="worktime.calendar_day_set")
    assert entry.actor == admin_user and entry.object_id == str(row.pk)
    assert entry.district_code == "420303"
    assert entry.detail == {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "previous": None}


def test_setting_a_date_again_replaces_it_and_records_the_previous_value(admin_user):
    calendar_day_set(date=date(2027, 10, 9), kind=DayKind.HOLIDAY, name="国庆节", actor=admin_user)
    calendar_day_set(date=date(2027, 10, 9), kind=DayKind.WORKDAY, name="国庆节", actor=admin_user)
    assert CalendarDay.objects.get().kind == "workday"
    last = AuditEntry.objects.filter(action="worktime.calendar_day_set").order_by("pk").last()
    assert last.detail["previous"] == {"kind": "holiday", "name": "国庆节"}


def test_bad_kind_is_refused_in_chinese(admin_user):
    with pytest.raises(ValidationError, match="放假"):
        calendar_day_set(date=date(2027, 1, 1), kind="party", actor=admin_user)


def test_delete_removes_the_override_and_is_audited(admin_user):
    calendar_day_set(date=date(2026, 10, 8), kind=DayKind.HOLIDAY, name="顺延", actor=admin_user)
    assert deadline_for(start=sh(2026, 9, 30, 10, 0), urgency="general") == sh(2026, 10, 16, 17, 30)
    calendar_day_delete(date=date(2026, 10, 8), actor=admin_user)
    assert deadline_for(start=sh(2026, 9, 30, 10, 0), urgency="general") == sh(2026, 10, 15, 17, 30)
    assert AuditEntry.objects.filter(action="worktime.calendar_day_delete").count() == 1
    with pytest.raises(ValidationError):
        calendar_day_delete(date=date(2026, 10, 8), actor=admin_user)


def test_year_cannot_be_marked_complete_empty_or_when_the_package_covers_it(admin_user):
    with pytest.raises(ValidationError, match="还没有录入"):
        calendar_year_set(year=2027, complete=True, actor=admin_user)
    with pytest.raises(ValidationError, match="chinese-calendar"):
        calendar_year_set(year=2026, complete=True, actor=admin_user)
    assert not CalendarYear.objects.exists()


# ------------------------------------------------------------------------- the 2027 story


def test_2027_raises_until_entered_and_marked_complete(admin_user):
    start = sh(2026, 12, 30, 10, 0)
    with pytest.raises(CalendarMissing, match="2027年的法定节假日安排尚未录入"):
        deadline_for(start=start, urgency="general")

    enter_2027_new_year(admin_user)
    with pytest.raises(CalendarMissing):  # rows alone are not enough
        deadline_for(start=start, urgency="general")
    assert year_status(2027, overrides_load()).missing

    calendar_year_set(year=2027, complete=True, note="国办发明电〔2026〕×号", actor=admin_user)
    # Dec 31, then Jan 4, 5, 6, 7, 8, 9 (make-up Saturday)
    assert deadline_for(start=start, urgency="general") == sh(2027, 1, 9, 17, 30)
    status = year_status(2027, overrides_load())
    assert (status.source, status.override_count) == ("table", 4)
    assert status.groups[0].rest == [(date(2027, 1, 1), date(2027, 1, 3))]

    calendar_year_set(year=2027, complete=False, actor=admin_user)  # un-ticking brings the error back
    with pytest.raises(CalendarMissing):
        deadline_for(start=start, urgency="general")
    assert AuditEntry.objects.filter(action="worktime.calendar_year_set").count() == 2


def test_year_status_of_a_library_year():
    status = year_status(2026, overrides_load())
    assert status.source == "library" and not status.missing
    assert "国庆节" in [g.name for g in status.groups]


# -------------------------------------------------------------------- editing time limits


def test_editing_a_time_limit_changes_deadlines(admin_user):
    start = sh(2026, 9, 30, 10, 0)
    time_limit_set(urgency="general", amount=5, unit=LimitUnit.WORKING_DAYS, actor=admin_user)
    assert deadline_for(start=start, urgency="general") == sh(2026, 10, 13, 17, 30)
    time_limit_set(urgency="general", amount=48, unit=LimitUnit.HOURS, actor=admin_user)
    assert deadline_for(start=start, urgency="general") == sh(2026, 10, 2, 10, 0)
    time_limit_set(urgency="emergency", amount=1, unit=LimitUnit.HOURS, actor=admin_user)
    assert deadline_for(start=start, urgency="emergency") == sh(2026, 9, 30, 11, 0)
    entry = AuditEntry.objects.filter(action="worktime.time_limit_set").order_by("pk").first()
    assert entry.detail["previous"] == {"amount": 7, "unit": "working_days"}


def test_time_limit_bounds(admin_user):
    with pytest.raises(ValidationError):
        time_limit_set(urgency="general", amount=0, unit=LimitUnit.WORKING_DAYS, actor=admin_user)
    with pytest.raises(ValidationError):
        time_limit_set(urgency="general", amount=3, unit="weeks", actor=admin_user)


def test_fraction_elapsed_follows_the_unit_of_the_urgency():
    start = sh(2026, 9, 30, 10, 0)
    deadline = deadline_for(start=start, urgency="general")
    assert fraction_elapsed_for(start=start, deadline=deadline, now=sh(2026, 10, 6, 12, 0),
                                urgency="general") == 0.0
    emergency = deadline_for(start=start, urgency="emergency")
    assert fraction_elapsed_for(start=start, deadline=emergency, now=sh(2026, 9, 30, 11, 30),
                                urgency="emergency") == pytest.approx(0.75)
