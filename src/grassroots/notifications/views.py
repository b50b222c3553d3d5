"""The inbox page and its HTMX fragments. Thin: look up the user's own notification, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .selectors import notification_get_for, notifications_of, unread_count
from .services import notification_mark_read, notifications_mark_all_read

PER_PAGE = 30
CHANGED = "notifications-changed"  # HTMX event: the top bar's badge reloads on it


def _own(request: HttpRequest, pk: int) -> Notification:
    try:
        return notification_get_for(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404(_("消息不存在")) from None


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED
    add_never_cache_headers(response)
    return response


def _list_context(request: HttpRequest) -> dict:
    only_unread = request.GET.get("unread") == "1"
    rows = notifications_of(request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return {"page": page, "only_unread": only_unread, "unread": unread_count(request.user)}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    response = render(request, "notifications/inbox.html", _list_context(request))
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Clicking a notification: mark it read and go to what it is about."""
    notification = notification_mark_read(notification=_own(request, pk), actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_mark_read(notification=_own(request, pk), actor=request.user)
    if _htmx(request):
        return _changed(render(request, "notifications/_item.html", {"n": notification}))
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    if _htmx(request):
        return _changed(render(request, "notifications/_list.html", _list_context(request)))
    messages.success(request, _("已将 %(n)s 条消息标为已读") % {"n": count} if count else _("没有未读消息"))
    return redirect("notifications:inbox")


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar (empty when none, or when not logged in: never a redirect)."""
    count = unread_count(request.user) if request.user.is_authenticated else 0
    response = render(request, "notifications/_badge.html", {"count": count})
    add_never_cache_headers(response)
    return response
