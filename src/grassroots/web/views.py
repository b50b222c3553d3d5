from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from grassroots.accounts.models import RoleAssignment
from grassroots.areas.selectors import areas_visible_to


@login_required
def home(request):
    roles = RoleAssignment.objects.filter(user=request.user).select_related("area", "unit")
    visible = areas_visible_to(request.user)
    counts = [
        (label, visible.filter(level=level).count())
        for level, label in (("street", "街道"), ("community", "社区"), ("grid", "网格"), ("building", "楼栋"))
    ]
    return render(request, "web/home.html", {"roles": roles, "counts": counts})
