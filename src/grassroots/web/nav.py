"""The top bar's menu: a few groups, each showing only the pages the user's roles open.

Built here rather than in the template so that what a user is offered follows the same capabilities
the pages check (a resident sees 我要反映 / 我的诉求, a unit's handler 诉求清单, a dispatcher the
dispatch board, …).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import Capability as C
from grassroots.accounts.scope import Scope
from grassroots.points.models import Merchant
from grassroots.reports.selectors import can_view_reports
from grassroots.stars.selectors import access_for as star_access_for


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Group:
    label: str
    links: tuple[Link, ...]

    @property
    def single(self) -> Link | None:
        """A group of one page is shown as a plain link."""
        return self.links[0] if len(self.links) == 1 else None


# (group label, [(link label, url name, capabilities (any of them), where)]): where is True (the capability
# held at an area), "units" (held at a unit), False (anywhere), or the page's own check of the user
# (a page whose rule is not one capability, so nobody is offered a link that answers 403).
MENU = [
    (_("诉求办理"), [
        (_("诉求清单"), "cases:list", (C.VIEW_CASES, C.HANDLE_CASES, C.TAKE_CASES), False),
        (_("派单台"), "cases:board", (C.DISPATCH_CASES,), False),
        (_("录入诉求"), "portal:staff_new", (C.HANDLE_CASES,), True),
        (_("随手拍（可离线）"), "woodpeckers:app", (C.HANDLE_CASES,), True),
        (_("随手拍核实"), "woodpeckers:reports", (C.HANDLE_CASES,), True),
        (_("12345工单导入"), "intake:hotline", (C.DISPATCH_CASES,), True),
        (_("智能分派"), "routing:index", (C.DISPATCH_CASES,), True),
    ]),
    (_("考核排名"), [
        (_("指挥中心"), "command:center", (C.VIEW_CASES,), True),
        (_("考核排名"), "assessment:index", (C.VIEW_CASES, C.HANDLE_CASES), False),
        (_("月度报告"), "reports:index", (C.VIEW_CASES,), can_view_reports),
        (_("双向评价"), "evaluation:index", (C.VIEW_CASES, C.HANDLE_CASES), False),
    ]),
    (_("热点问题"), [(_("热点问题"), "hotspots:index", (C.VIEW_CASES,), True)]),
    (_("基层组织"), [
        (_("组织架构"), "areas:tree", (C.VIEW_AREAS,), False),
        (_("网格地图"), "areas:map", (C.VIEW_AREAS,), False),
        (_("党组织"), "orgs:party", (C.VIEW_PARTY,), False),
        (_("党支部星级评定"), "stars:index", (C.VIEW_PARTY,), lambda user: bool(star_access_for(user).read)),
        (_("单位"), "orgs:units", (C.VIEW_UNITS,), False),
    ]),
    (_("居民"), [
        (_("居民"), "people:residents", (C.VIEW_RESIDENTS,), False),
        (_("住户认领"), "portal:claims", (C.HANDLE_CASES,), True),
        (_("个人信息申请"), "privacy:staff", (C.MANAGE_REGISTERS,), True),
        (_("啄木鸟队伍"), "woodpeckers:roster", (C.DISPATCH_CASES,), True),
    ]),
    (_("党员与志愿"), [
        (_("双报到管理"), "service:community", (C.DISPATCH_CASES,), True),
        (_("单位报到"), "service:units", (C.VIEW_UNITS,), "units"),
        (_("我的双报到"), "service:me", (C.TAKE_CASES,), False),
        (_("志愿活动管理"), "volunteers:manage", (C.DISPATCH_CASES,), True),
        (_("微心愿管理"), "wishes:manage", (C.DISPATCH_CASES,), True),
    ]),
    (_("议事协商"), [
        (_("议事协商"), "deliberation:manage", (C.DISPATCH_CASES,), True),
        (_("资源·需求·项目"), "matching:board", (C.DISPATCH_CASES,), True),
        (_("本单位共建"), "matching:unit", (C.VIEW_UNITS,), "units"),
    ]),
    (_("积分"), [
        (_("积分账本"), "points:communities", (C.DISPATCH_CASES,), True),
        (_("积分核实"), "points:review", (C.HANDLE_CASES,), True),
    ]),
    (_("台账与日历"), [
        (_("台账导入导出"), "registers:index", (C.MANAGE_REGISTERS,), False),
        (_("工作日历"), "worktime:index", (C.VIEW_AREAS,), False),
    ]),
]
RESIDENT_MENU = [(_("我要反映"), "portal:new"), (_("随手拍"), "woodpeckers:app"), (_("志愿服务"), "volunteers:index"),
                 (_("微心愿"), "wishes:index"), (_("议事"), "deliberation:index"), (_("积分"), "points:me"),
                 (_("我的"), "portal:me")]


def _allowed(user, scope: Scope, capabilities: tuple[str, ...], areas_only) -> bool:
    """``areas_only``: True, the capability held at an area; "units", held at a unit; False, anywhere;
    a callable, the page's own check of the user."""
    if areas_only == "units":  # a unit's own pages: for its staff, a superuser included only if one
        return any(scope.unit_ids.get(c) for c in capabilities)
    if scope.is_superuser:
        return True
    if callable(areas_only):
        return any(scope.can(c) for c in capabilities) and areas_only(user)
    if areas_only:
        return any(scope.codes(c) for c in capabilities)
    return any(scope.can(c) for c in capabilities)


def nav_for(user, scope: Scope) -> list[Group]:
    if not getattr(user, "is_authenticated", False):
        return []
    groups = []
    for label, links in MENU:
        shown = tuple(Link(str(text), reverse(name)) for text, name, caps, areas_only in links
                      if _allowed(user, scope, caps, areas_only))
        if shown:
            groups.append(Group(str(label), shown))
    if not groups:  # a resident (or a user without a staff role): the portal
        groups = [Group(str(text), (Link(str(text), reverse(name)),)) for text, name in RESIDENT_MENU]
    if Merchant.objects.filter(handlers=user, active=True).exists():  # a shop's or property company's counter
        groups.insert(0, Group(str(_("积分核销")), (Link(str(_("积分核销")), reverse("points:merchants")),)))
    return groups
