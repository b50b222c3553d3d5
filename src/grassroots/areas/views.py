"""Pages of the Area tree: the organisation tree, an area's detail, the grid map, boundary files.

Every page fetches its area through the scoped selectors: an area outside the user's scope is a
404, exactly as if it did not exist.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for

from .geo import dump_feature_collection
from .models import Area, Level
from .selectors import (
    MAP_LEVELS,
    area_get_for,
    area_nodes,
    area_path,
    child_nodes,
    grids_feature_collection,
    grids_under,
    root_nodes,
    visible_roots,
)
from .services import grid_boundaries_import


def visible_or_404(user, code: str) -> Area:
    try:
        return area_get_for(user, code)
    except Area.DoesNotExist:
        raise Http404(_("区域不存在或不在您的管辖范围内")) from None


def can_manage(user, area: Area) -> bool:
    return scope_for(user).can_at(Capability.MANAGE_REGISTERS, area.code)


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "areas/tree.html", {"nodes": root_nodes(request.user)})


@login_required
@require_GET
def children(request: HttpRequest, code: str) -> HttpResponse:
    area = visible_or_404(request.user, code)
    return render(request, "areas/_nodes.html", {"nodes": child_nodes(request.user, area)})


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    area = visible_or_404(request.user, code)
    context = {
        "area": area,
        "node": area_nodes(request.user, Area.objects.filter(pk=area.pk))[0],
        "path": area_path(request.user, area),
        "children": child_nodes(request.user, area),
        "grid_count": grids_under(area).count() if area.level != Level.GRID else 1,
        "has_map": area.level in MAP_LEVELS,
        "can_manage": can_manage(request.user, area),
    }
    return render(request, "areas/detail.html", context)


def _map_area(request: HttpRequest) -> Area | None:
    code = (request.GET.get("area") or "").strip()
    if not code:
        return visible_roots(request.user).first()
    area = visible_or_404(request.user, code)
    if area.level not in MAP_LEVELS:  # a building or household: show its grid
        area = visible_or_404(request.user, area.code[:15])
    return area


@login_required
@require_GET
def grid_map(request: HttpRequest) -> HttpResponse:
    area = _map_area(request)
    context = {"area": area}
    if area is not None:
        sub = [n for n in child_nodes(request.user, area) if n.has_map] if area.level != Level.GRID else []
        context |= {
            "path": area_path(request.user, area),
            "subareas": sub,
            "grids": list(grids_under(area)),
            "geojson_url": reverse("api:area_grids_geojson", kwargs={"code": area.code}),
            "locate_url": reverse("api:area_locate"),
            "can_manage": can_manage(request.user, area),
        }
    return render(request, "areas/map.html", context)


@login_required
@require_GET
def boundaries_export(request: HttpRequest, code: str) -> HttpResponse:
    area = visible_or_404(request.user, code)
    text = dump_feature_collection(grids_feature_collection(area, with_empty=True))
    response = HttpResponse(text, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grids-{area.code}.geojson"'
    return response


def _read_upload(request: HttpRequest) -> dict:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(_("请选择要上传的 GeoJSON 文件（.geojson 或 .json）"))
    try:
        return json.loads(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(_("文件不是 UTF-8 编码的文本，请另存为 UTF-8 的 GeoJSON")) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(_("文件不是有效的 JSON：第%(line)s行第%(column)s列附近有格式错误")
                              % {"line": exc.lineno, "column": exc.colno}) from None


@login_required
@require_POST
def boundaries_import(request: HttpRequest, code: str) -> HttpResponse:
    area = visible_or_404(request.user, code)
    if not can_manage(request.user, area):
        raise PermissionDenied(_("您没有导入网格边界的权限"))
    try:
        result = grid_boundaries_import(
            feature_collection=_read_upload(request), actor=request.user, scope_code=area.code)
    except ValidationError as exc:
        messages.error(request, _("网格边界未导入，文件中的问题如下（修正后请重新上传，未做任何修改）："))
        for message in exc.messages:
            messages.error(request, message)
    else:
        updated, skipped = len(result.updated), len(result.skipped)
        text = ngettext("已更新 %(count)s 个网格的边界", "已更新 %(count)s 个网格的边界", updated) % {"count": updated}
        if skipped:
            text += ngettext("；%(count)s 个要素没有边界，保持原样", "；%(count)s 个要素没有边界，保持原样",
                             skipped) % {"count": skipped}
        messages.success(request, text)
    return redirect(f"{reverse('areas:map')}?area={area.code}")
