"""Reads for the resident side: the portal's district, its public grid outlines and buildings, the
short list of common categories, a resident's own cases and the plain-Chinese view of a case.

Everything here that an anonymous visitor can reach is public by nature: grid outlines and names,
building names, the case a tracking code opens. No personal data leaves through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.areas.geo import team_area
from grassroots.areas.models import Area, Level
from grassroots.areas.selectors import grids_feature_collection
from grassroots.cases.models import Case, CaseAttachment, Category
from grassroots.cases.selectors import TimelineEntry, case_timeline_public
from grassroots.cases.taxonomy import category_code_by_path
from grassroots.core.memo import memoized
from grassroots.worktime.models import Urgency

S = Case.Status
BUILDING_RESULTS = 20

# The categories a resident picks from: (label shown, taxonomy path, urgency it implies). The full
# taxonomy (517 leaves) is for the dispatcher; a resident who is unsure leaves it empty.
COMMON_CATEGORIES: list[tuple[str, tuple[str, ...], str]] = [
    (_("物业服务（保洁、维修、收费）"), ("城乡建设", "住房保障与房地产", "物业服务"), ""),
    (_("环境卫生（垃圾、清扫）"), ("城乡建设", "城市建设和市政管理", "环境卫生"), ""),
    (_("小区管理（停车、楼道、绿化）"), ("城乡建设", "城市建设和市政管理", "小区管理"), ""),
    (_("公共设施（路灯、井盖、道路）"), ("城乡建设", "城市建设和市政管理", "城市公共设施"), ""),
    (_("停水、供水"), ("城乡建设", "城市建设和市政管理", "自来水供应"), Urgency.UTILITY),
    (_("停电、供电"), ("城乡建设", "城市建设和市政管理", "电力供应"), Urgency.UTILITY),
    (_("燃气"), ("城乡建设", "城市建设和市政管理", "燃气供应"), Urgency.UTILITY),
    (_("供暖"), ("城乡建设", "城市建设和市政管理", "冬季采暖"), Urgency.UTILITY),
    (_("噪音扰民"), ("环境保护", "环境污染", "噪音污染"), ""),
    (_("违章搭建"), ("城乡建设", "城乡规划", "违章建筑"), ""),
    (_("消防安全隐患"), ("政法", "社会治安", "消防安全"), ""),
    (_("治安问题"), ("政法", "社会治安", "治安案件"), ""),
    (_("社会救助、困难帮扶"), ("民政", "社会救助"), ""),
    (_("社保、就业"), ("劳动和社会保障",), ""),
]


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    label: str
    urgency: str


@lru_cache(maxsize=1)
def _taxonomy_codes() -> dict[tuple[str, ...], str]:
    return category_code_by_path()


def common_categories() -> list[CategoryChoice]:
    """The common categories that exist in this installation's taxonomy, in display order (kept in
    memory for a few seconds: every page view and submit asks)."""
    return memoized("portal.common_categories", _common_categories)


def _common_categories() -> list[CategoryChoice]:
    codes = _taxonomy_codes()
    wanted = {codes[path]: (label, urgency) for label, path, urgency in COMMON_CATEGORIES if path in codes}
    present = set(Category.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [CategoryChoice(code, str(label), urgency) for code, (label, urgency) in wanted.items()
            if code in present]


def category_urgency(category: Category | None) -> str:
    """The urgency a category implies for a resident's report (水电气热: 24 hours), or ''."""
    if category is None:
        return ""
    return next((c.urgency for c in common_categories() if c.code == category.code), "")


# --- the district and its map ---------------------------------------------------------------------


def districts() -> QuerySet[Area]:
    return Area.objects.filter(level=Level.DISTRICT).order_by("code")


def portal_district(code: str = "") -> Area | None:
    """The district whose residents this page serves: ``code`` (``?d=``), else
    ``settings.GRASSROOTS_PORTAL_DISTRICT``, else the first district. None when ``code`` is unknown
    or there is no district at all."""
    code = (code or getattr(settings, "GRASSROOTS_PORTAL_DISTRICT", "") or "").strip()
    if code:
        return team_area(code) if len(code) == 6 else None
    return memoized("portal.default_district", lambda: districts().first())


def grid_outlines(district: Area) -> dict:
    """The district's grid outlines as GeoJSON: boundary, code, name and community name only."""
    return grids_feature_collection(district)


def building_label(building: Area) -> str:
    grid = building.parent
    community = grid.parent if grid else None
    parts = [p.name for p in (community, grid) if p is not None]
    return " · ".join([*parts, building.name])


def buildings_search(district: Area, query: str, *, limit: int = BUILDING_RESULTS) -> list[Area]:
    """Buildings of the district whose name, address, grid or community matches every word typed."""
    words = [w for w in (query or "").replace("·", " ").split() if w][:5]
    if not words:
        return []
    rows = Area.objects.under(district.code).filter(level=Level.BUILDING).select_related("parent__parent")
    for word in words:
        rows = rows.filter(Q(name__icontains=word) | Q(address__icontains=word)
                           | Q(parent__name__icontains=word) | Q(parent__parent__name__icontains=word))
    return list(rows.order_by("code")[:limit])


def building_in(district: Area, code: str) -> Area | None:
    code = (code or "").strip()
    if not code.isdigit():
        return None
    return Area.objects.under(district.code).filter(level=Level.BUILDING, code=code).first()


# --- a resident's cases -------------------------------------------------------------------------------


def cases_of_resident(user) -> QuerySet[Case]:
    """The cases a logged-in resident reported themselves (never anyone else's)."""
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(reporter_user=user).order_by("-created_at")


def my_cases_section(request, account) -> dict:
    """The "我的" page's list of the resident's own cases: the five latest and how many in all."""
    cases = cases_of_resident(request.user)
    return {"cases": list(cases[:5]), "total": cases.count()}


# --- the case as the resident sees it ---------------------------------------------------------------

# (headline, what happens next) per status, in the words a resident uses.
RESIDENT_STATUS: dict[str, tuple[str, str]] = {
    S.REPORTED: (_("已提交，等待受理"), _("工作人员会尽快查看您的诉求。")),
    S.ACCEPTED: (_("已受理"), _("正在安排人员办理。")),
    S.DISPATCHED: (_("已交办"), _("已交给负责的单位或网格，等待对方接单。")),
    S.IN_PROGRESS: (_("正在办理"), _("承办人员正在处理您反映的问题。")),
    S.RETURNED: (_("正在重新安排"), _("正在重新确定负责的单位。")),
    S.EXTENDED: (_("正在办理（已延期）"), _("问题较复杂，办理期限已延长。")),
    S.PARKED: (_("长期跟踪"), _("问题需要较长时间解决，已列为长期跟踪事项，会定期复查。")),
    S.ESCALATED: (_("上级协调办理中"), _("已提交上级协调办理。")),
    S.WHISTLED: (_("多部门联合办理中"), _("已召集相关部门共同办理。")),
    S.REPLIED: (_("已答复，等待核实"), _("承办单位已答复，工作人员将核实办理结果。")),
    S.VERIFIED: (_("请您评价"), _("办理结果已核实，请对办理情况作出评价。")),
    S.REOPENED: (_("重新办理中"), _("诉求已退回承办单位重新办理（重办）。")),
    S.CLOSED: (_("已办结"), _("感谢您的反映与监督。")),
    S.REJECTED: (_("不予受理"), _("该诉求不属于本平台受理范围，原因见下方说明。")),
    S.MERGED: (_("已合并办理"), _("与其他居民反映的相同问题合并办理，进度以合并后的诉求为准。")),
}
# Public events whose note is written to the resident (the reply, the reason for not accepting, the
# resident's own comment); other notes are staff-to-staff instructions and stay off the page.
NOTE_FOR_RESIDENT = {"reply", "reject", "rate", "rate_unsatisfied"}


@dataclass(frozen=True)
class PublicView:
    case: Case
    headline: str
    explanation: str
    timeline: list[TimelineEntry]
    reply: TimelineEntry | None
    photos: list[CaseAttachment]  # the resident's, at the report
    reply_photos: list[CaseAttachment]  # the handler's, with the reply
    can_rate: bool


def case_public_view(case: Case) -> PublicView:
    """What the tracking page shows: status in plain Chinese, the public timeline oldest first (notes
    only where they are addressed to the resident), the latest reply, the photos."""
    headline, explanation = RESIDENT_STATUS.get(case.status, (case.get_status_display(), ""))
    timeline = [
        e if e.action in NOTE_FOR_RESIDENT else TimelineEntry(at=e.at, action=e.action, status=e.status,
                                                              text=e.text, note="")
        for e in case_timeline_public(case)
    ]
    replies = [e for e in timeline if e.action == "reply" and e.note]
    photos = list(CaseAttachment.objects.filter(case=case).order_by("pk"))
    return PublicView(case=case, headline=str(headline), explanation=str(explanation), timeline=timeline,
                      reply=replies[-1] if replies else None,
                      photos=[p for p in photos if p.stage != "reply"],
                      reply_photos=[p for p in photos if p.stage == "reply"],
                      can_rate=case.status == S.VERIFIED)
