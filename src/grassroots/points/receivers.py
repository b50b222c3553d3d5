"""How points hear the rest of the platform: signals of the people who serve, the case loop's event
listener, the worker's tasks (catch-up, lapsed codes, daily expiry) and the "我的" section."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.core.cache import caches
from django.utils import timezone

from . import earning

log = logging.getLogger(__name__)
_paused: ContextVar[bool] = ContextVar("points_paused", default=False)
CATCH_UP_DAYS = 7
CATCH_UP_EVERY = 300  # seconds between two catch-up passes (shared by every worker)


@contextmanager
def paused():
    """Hear nothing (the demo loader pays its year of history itself, at the events' own times)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _pay(found) -> None:
    if found is None or _paused.get():
        return
    from .services import award_earning

    award_earning(found)


def on_report(sender, report, **kwargs) -> None:
    _pay(earning.from_report(report))


def on_hours(sender, signup, **kwargs) -> None:
    _pay(earning.from_signup(signup))


def on_record(sender, record, **kwargs) -> None:
    _pay(earning.from_record(record))


def on_wish(sender, wish, **kwargs) -> None:
    _pay(earning.from_wish(wish))


def on_attended(sender, attendance, **kwargs) -> None:
    _pay(earning.from_attendance(attendance))


def on_case_event(event, case) -> None:
    if event.action in earning.RATING_ACTIONS:
        _pay(earning.from_case_event(event, case))


def catch_up(worker: str) -> bool:
    """Pay what the receivers missed in the last week (a lost signal). At most every five minutes."""
    if not caches["shared"].add("points.catch_up", worker, CATCH_UP_EVERY):
        return False
    from .services import award_earning

    paid = 0
    for found in earning.missed(timezone.now() - timedelta(days=CATCH_UP_DAYS)):
        award_earning(found)
        paid += 1
    if paid:
        log.info("points catch-up paid %s missed earnings", paid)
    return bool(paid)


def lapse(worker: str) -> bool:
    from .services import lapse_codes

    return bool(lapse_codes())


def expire(worker: str) -> bool:
    from .services import expire_points

    return expire_points() is not None


def me_section(request, account):
    from .selectors import my_accounts, my_redemptions

    accounts = my_accounts(request.user)
    if not accounts:
        return {"accounts": [], "codes": 0}
    return {"accounts": accounts, "codes": my_redemptions(request.user).filter(status="held").count()}


def connect() -> None:
    from grassroots.cases.hooks import on_case_event as listen
    from grassroots.core.jobs import register_task
    from grassroots.deliberation.signals import attended
    from grassroots.portal import sections
    from grassroots.service.signals import record_verified
    from grassroots.volunteers.signals import hours_confirmed
    from grassroots.wishes.signals import wish_confirmed
    from grassroots.woodpeckers.signals import report_judged

    report_judged.connect(on_report, dispatch_uid="points.report")
    hours_confirmed.connect(on_hours, dispatch_uid="points.hours")
    record_verified.connect(on_record, dispatch_uid="points.record")
    wish_confirmed.connect(on_wish, dispatch_uid="points.wish")
    attended.connect(on_attended, dispatch_uid="points.attended")
    listen(on_case_event)
    register_task("points.catch_up", catch_up)
    register_task("points.lapse", lapse)
    register_task("points.expire", expire)
    sections.register("points", template="points/_me.html", context=me_section, order=20)
