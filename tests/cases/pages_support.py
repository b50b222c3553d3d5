"""Helpers for the staff page and API tests (tests/cases/test_pages*, test_api*, test_board*, test_export*)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from grassroots.cases import services as svc
from grassroots.cases.models import Case, CaseEvent
from grassroots.core.models import AuditEntry

HX = {"HTTP_HX_REQUEST": "true"}


def events_of(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("action", flat=True))


def counts() -> tuple[int, int, int]:
    """(events, audit rows, cases): what a refused request must leave unchanged."""
    return CaseEvent.objects.count(), AuditEntry.objects.count(), Case.objects.count()


def accepted(case: Case, tree) -> Case:
    svc.case_accept(case=case, actor=tree.user("root"))
    return case


def dispatched_to_dept(case: Case, tree) -> Case:
    accepted(case, tree)
    svc.case_dispatch(case=case, actor=tree.user("root"), to_unit=tree.units["dept"])
    return case


def in_progress(case: Case, tree) -> Case:
    dispatched_to_dept(case, tree)
    svc.case_take(case=case, actor=tree.user("dept_handler"))
    return case


def replied(case: Case, tree) -> Case:
    in_progress(case, tree)
    svc.case_reply(case=case, reply="已更换灯泡。", actor=tree.user("dept_handler"))
    return case


def verified(case: Case, tree) -> Case:
    replied(case, tree)
    svc.case_verify(case=case, actor=tree.user("root"))
    return case


def set_deadline(case: Case, *, hours: float) -> Case:
    """Move the deadline to now + ``hours`` (negative: already passed), without the services."""
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() + timedelta(hours=hours))
    case.refresh_from_db()
    return case
