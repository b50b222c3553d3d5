from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import pgettext

from grassroots.accounts.models import RoleAssignment
from grassroots.areas.selectors import areas_visible_to


@login_required
def home(request):
    roles = RoleAssignment.objects.filter(user=request.user).select_related("area", "unit")
    visible = areas_visible_to(request.user)
    labels = {  # "how many": plural in English, hence the context
        "street": pgettext("dashboard count", "街道"),
        "community": pgettext("dashboard count", "社区"),
        "grid": pgettext("dashboard count", "网格"),
        "building": pgettext("dashboard count", "楼栋"),
    }
    counts = [(label, visible.filter(level=level).count()) for level, label in labels.items()]
    return render(request, "web/home.html", {"roles": roles, "counts": counts})
