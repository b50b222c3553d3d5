from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grassroots.accounts.models import RoleAssignment
from grassroots.areas.selectors import areas_visible_to
from grassroots.cases.selectors import (
    STATUS_GROUPS,
    board_cases_for,
    cases_filter,
    is_case_staff,
    is_dispatcher_somewhere,
    staff_cases_for,
)
from grassroots.hotspots.models import MonthlyProblem
from grassroots.hotspots.selectors import problems_visible_to
from grassroots.notifications.selectors import unread_count

# The status groups a worker's dashboard counts (each links to the case list filtered by it).
TODO_GROUPS = ("pending", "active", "to_verify", "to_rate", "overdue", "near", "supervised")


@login_required
def home(request):
    roles = RoleAssignment.objects.filter(user=request.user).select_related("area", "unit").defer("area__boundary")
    visible = areas_visible_to(request.user)
    labels = {  # "how many": plural in English, hence the context
        "street": pgettext("dashboard count", "街道"),
        "community": pgettext("dashboard count", "社区"),
        "grid": pgettext("dashboard count", "网格"),
        "building": pgettext("dashboard count", "楼栋"),
    }
    counts = [(label, visible.filter(level=level).count()) for level, label in labels.items()]
    todo, board = [], None
    if is_case_staff(request.user):
        mine = staff_cases_for(request.user)
        names = {g.key: g.label for g in STATUS_GROUPS}
        todo = [(key, names[key], cases_filter(mine, group=key).count()) for key in TODO_GROUPS]
        if is_dispatcher_somewhere(request.user):
            board = board_cases_for(request.user).count()
    monthly = list(problems_visible_to(request.user).exclude(status=MonthlyProblem.Status.DONE)
                   .order_by("deadline", "pk")[:5])
    return render(request, "web/home.html", {"roles": roles, "counts": counts, "todo": todo, "board": board,
                                             "unread": unread_count(request.user), "monthly": monthly})


@require_GET
@never_cache
def healthz(request):
    """For the reverse proxy, systemd and the container's health check: 200 when this process can reach
    its database, 503 when it cannot. Says nothing else (no versions, no counts)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"ok": False}, status=503)
    return JsonResponse({"ok": True})
