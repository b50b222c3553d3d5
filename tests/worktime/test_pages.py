"""The /worktime/ page and the admin: who sees what, the red warning for a missing year, the forms."""

from datetime import date

import pytest

from grassroots.core.models import AuditEntry
from grassroots.worktime import views
from grassroots.worktime.models import CalendarDay, CalendarYear, DayKind, TimeLimit
from grassroots.worktime.services import calendar_day_set

pytestmark = [pytest.mark.django_db, pytest.mark.calendar_as_shipped]

MISSING = "2027年的法定节假日安排尚未录入，请在工作日历中补录后再计算期限"


@pytest.fixture(autouse=True)
def _today_is_in_2026(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: date(2026, 11, 22))


def page(client) -> str:
    response = client.get("/worktime/")
    assert response.status_code == 200
    return response.content.decode()


def test_login_required(client, tree):
    assert client.get("/worktime/").status_code == 302


def test_page_shows_2026_from_the_package_and_warns_about_2027(client_as, tree):
    html = page(client_as(tree.user("grid_worker_A")))
    assert "2026年" in html and "国庆节" in html and "10月1日–10月7日" in html
    assert "9月20日" in html and "10月10日" in html
    assert 'class="card calendar-missing" id="year-2027"' in html
    assert MISSING in html
    assert "紧急" in html and "水电气热" in html and "15" in html


def test_read_only_users_get_no_forms(client_as, tree):
    for name in ("grid_worker_A", "community_worker_1", "street_admin_1"):
        html = page(client_as(tree.user(name)))
        assert 'id="day-form"' not in html and 'id="year-form"' not in html, name


def test_district_admin_gets_the_forms(client_as, tree):
    html = page(client_as(tree.user("district_admin")))
    assert 'id="day-form"' in html and 'id="year-form"' in html


def test_non_editors_cannot_post(client_as, tree):
    client = client_as(tree.user("community_worker_1"))
    response = client.post("/worktime/days/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 403
    assert client.post("/worktime/years/", {"year": "2027", "complete": "on"}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_admin_enters_2027_through_the_page(client_as, tree):
    client = client_as(tree.user("district_admin"))
    for day in ("2027-01-01", "2027-01-02", "2027-01-03"):
        response = client.post("/worktime/days/", {"date": day, "kind": "holiday", "name": "元旦"})
        assert response.status_code == 302
    assert MISSING in page(client)  # not complete yet

    response = client.post("/worktime/years/", {"year": "2027", "complete": "on", "note": "国办通知"})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).complete
    html = page(client)
    assert MISSING not in html and "由管理员录入，已确认完整" in html and "1月1日–1月3日" in html
    assert AuditEntry.objects.filter(action__startswith="worktime.").count() == 4


def test_marking_an_empty_year_shows_the_reason(client_as, tree):
    client = client_as(tree.user("district_admin"))
    response = client.post("/worktime/years/", {"year": "2027", "complete": "on"}, follow=True)
    assert "还没有录入任何放假或调休日期" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_invalid_day_form_names_the_field(client_as, tree):
    client = client_as(tree.user("district_admin"))
    response = client.post("/worktime/days/", {"date": "", "kind": "holiday"}, follow=True)
    assert "日期" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_delete_from_the_page(client_as, tree):
    admin = tree.user("district_admin")
    calendar_day_set(date=date(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试", actor=admin)
    client = client_as(admin)
    assert 'id="day-2026-12-31"' in page(client)
    assert client.post("/worktime/days/2026-12-31/delete/").status_code == 302
    assert not CalendarDay.objects.exists()


def test_deadline_trial(client_as, tree):
    client = client_as(tree.user("grid_worker_A"))
    html = client.get("/worktime/", {"start": "2026-09-30T10:00", "urgency": "general"}).content.decode()
    assert "2026-10-15 17:30" in html
    html = client.get("/worktime/", {"start": "2026-12-30T10:00", "urgency": "general"}).content.decode()
    assert 'class="error" role="alert">' + MISSING in html


# ------------------------------------------------------------------------------------ admin


def test_admin_saves_through_the_service(client, tree):
    admin = tree.user("district_admin")
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    response = client.post("/admin/worktime/calendarday/add/",
                           {"date": "2027-02-06", "kind": "holiday", "name": "春节", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarDay.objects.get().name == "春节"
    assert AuditEntry.objects.filter(action="worktime.calendar_day_set").count() == 1

    limit = TimeLimit.objects.get(urgency="general")
    response = client.post(f"/admin/worktime/timelimit/{limit.pk}/change/",
                           {"label": "一般", "amount": "5", "unit": "working_days"})
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.amount == 5 and limit.updated_by == admin


def test_admin_is_read_only_for_other_staff(client, tree):
    worker = tree.user("street_admin_1")
    worker.is_staff = True
    worker.save()
    client.force_login(worker)
    assert client.get("/admin/worktime/calendarday/").status_code == 200
    assert client.get("/admin/worktime/calendarday/add/").status_code == 403
    limit = TimeLimit.objects.get(urgency="general")
    client.post(f"/admin/worktime/timelimit/{limit.pk}/change/",
                {"label": "一般", "amount": "1", "unit": "hours"})
    limit.refresh_from_db()
    assert limit.amount == 7


def test_admin_refuses_marking_a_year_complete_without_rows(client, tree):
    root = tree.user("root")
    client.force_login(root)
    response = client.post("/admin/worktime/calendaryear/add/", {"year": "2027", "complete": "on"})
    assert response.status_code == 200 and "还没有录入" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_delete_of_a_blank_or_wrong_day_says_so(client_as, tree):
    admin = tree.user("district_admin")
    calendar_day_set(date=date(2026, 12, 31), kind=DayKind.HOLIDAY, name="测试", actor=admin)
    client = client_as(admin)
    for day in ("%20", "2026-13-01", "0001-01-01"):
        response = client.post(f"/worktime/days/{day}/delete/", follow=True)
        html = response.content.decode()
        assert response.status_code == 200 and ("格式不对" in html or "超出范围" in html), day
    assert CalendarDay.objects.count() == 1
