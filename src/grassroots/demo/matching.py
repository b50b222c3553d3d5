"""The demo district's three lists, made through the services at the times things happened
(``time_machine``): each community puts its co-building units' 双报到 commitments on the resource
list, collects needs from residents, from cases and from a door-to-door survey, pairs most of them
with a suggested resource into projects (some 为民办实事) that report progress with evidence, and
signs a two-way service agreement with each registered unit whose promises are partly kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .casework import NOTIFY_DAYS
from .plan import rng_for

NEEDS = [  # title, detail, kind wanted, people
    ("独居老人希望有助餐服务", "楼里有十几位独居老人，做饭不便，希望有人送餐或设助餐点。", "service", 15),
    ("孩子放学后没人看管", "双职工家庭多，希望有四点半课堂或课后托管。", "venue", 20),
    ("老人想定期量血压、看小病", "希望有医生定期来社区义诊。", "service", 30),
    ("楼道线路老化需要检修", "老楼电线裸露，希望有专业人员检修。", "service", 40),
    ("缺少居民活动场地", "广场舞、下棋没有地方，希望开放会议室或场地。", "venue", 50),
    ("邻里纠纷需要法律咨询", "物业费、漏水纠纷多，希望有律师定期坐班。", "service", 12),
    ("失业人员想参加技能培训", "希望有就业信息和技能培训。", "service", 8),
    ("小区绿化带垃圾多", "希望组织志愿者定期清理。", "volunteers", 60),
    ("电动车飞线充电有隐患", "希望开展消防安全宣传、增设充电设施。", "equipment", 80),
]
SURVEY = [("高龄老人需要上门理发", "service", 6), ("需要轮椅等助老器具借用", "equipment", 10),
          ("希望开办书画兴趣班", "venue", 25)]
UNIT_PROMISES = ["每季度开展一次志愿服务", "向居民开放单位会议室（每周六）", "结对帮扶困难家庭 2 户",
                 "每月派员参加社区议事会"]
COMMUNITY_PROMISES = ["为单位职工子女提供暑期托管", "协调单位周边停车秩序", "邀请单位参加社区文体活动"]


def load_matching(plan, *, end: datetime, log) -> dict:
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.areas.models import Area, Level
    from grassroots.cases.models import Case
    from grassroots.matching import selectors
    from grassroots.matching import services as m
    from grassroots.matching.models import Need
    from grassroots.portal.models import ResidentAccount
    from grassroots.service.models import Decision, UnitRegistration

    rng = rng_for(plan.seed, "matching")
    dc = plan.district_code
    communities = list(Area.objects.filter(code__startswith=dc, level=Level.COMMUNITY).order_by("code"))
    if not communities:
        return {}
    clen = len(communities[0].code)
    workers = {ra.area.code: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_WORKER, area__code__startswith=dc).select_related("area", "user").order_by("pk")}
    admin = User.objects.filter(username="admin").first()
    residents: dict[str, list] = {}
    for account in ResidentAccount.objects.filter(status="verified", district_code=dc).select_related(
            "user", "household__parent").order_by("pk"):
        residents.setdefault(account.household.code[:clen], []).append(account)
    regs: dict[int, list] = {}
    for reg in UnitRegistration.objects.filter(community__code__startswith=dc, status=Decision.APPROVED).select_related(
            "unit").order_by("pk"):
        regs.setdefault(reg.community_id, []).append(reg)
    counts = {"resources": 0, "needs": 0, "matches": 0, "projects_done": 0, "agreements": 0, "delivered": 0}
    start = end - timedelta(days=365)
    recent = end - timedelta(days=NOTIFY_DAYS)
    real_notify = m.notify

    def notify_recent(**kwargs):  # only the last days' messages reach inboxes, as casework
        return real_notify(**kwargs) if timezone.now() >= recent else []

    with time_machine.travel(start + timedelta(days=10), tick=False) as clock, \
            mock.patch.object(m, "notify", notify_recent):
        for community in communities:
            actor = workers.get(community.code) or admin
            clock.move_to(start + timedelta(days=rng.randint(5, 40)))
            counts["resources"] += m.resources_from_commitments(community=community, actor=actor)
            needs = []
            people = residents.get(community.code, [])
            for title, detail, kind, n in rng.sample(NEEDS, rng.randint(2, 4)):
                if not people:
                    break
                clock.move_to(start + timedelta(days=rng.randint(30, 330)))
                account = rng.choice(people)
                needs.append(m.need_add(actor=account.user, area=account.household.parent, title=title, detail=detail,
                                        kind=kind, people=n + rng.randint(0, 10)))
            for title, kind, n in rng.sample(SURVEY, 1):
                clock.move_to(start + timedelta(days=rng.randint(60, 300)))
                needs.append(m.need_add(actor=actor, area=community, title=title, kind=kind, people=n,
                                        source=Need.Source.SURVEY))
            case = (Case.objects.filter(area__code__startswith=community.code, created_at__lt=end - timedelta(days=20))
                    .filter(title__regex=r"老人|电梯|扶手|托管|场地|充电").order_by("created_at").first())
            if case is not None:
                clock.move_to(case.created_at + timedelta(days=3))
                needs.append(m.need_from_case(case=case, actor=actor))
            counts["needs"] += len(needs)
            for need in needs:
                found = selectors.suggestions(need, limit=1)
                if not found or rng.random() < 0.25:
                    continue
                clock.move_to(need.created_at + timedelta(days=rng.randint(3, 15)))
                if timezone.now() >= end:
                    continue
                deadline = timezone.localdate() + timedelta(days=rng.choice((30, 60, 90)))
                match = m.match_accept(need=need, resource=found[0].resource, actor=actor, deadline=deadline,
                                       practical=rng.random() < 0.5)
                counts["matches"] += 1
                owner = _owner(match.project, actor)
                moment = timezone.now() + timedelta(days=rng.randint(7, 20))
                if moment < end:
                    clock.move_to(moment)
                    m.project_progress(project=match.project, actor=owner, text="已对接，首次服务已开展",
                                       progress=rng.choice((30, 50)))
                done = timezone.make_aware(datetime.combine(deadline, datetime.min.time())) - timedelta(days=3)
                if rng.random() < 0.7 and max(done, moment) + timedelta(days=1) < end:
                    clock.move_to(max(done, moment + timedelta(days=1)))
                    m.project_progress(project=match.project, actor=owner, text="已完成，服务转为常态化",
                                       progress=100)
                    counts["projects_done"] += 1
            for reg in regs.get(community.pk, []):
                clock.move_to(start + timedelta(days=rng.randint(20, 60)))
                signed = timezone.localdate()
                items = [("unit", p, signed + timedelta(days=rng.randint(60, 300)))
                         for p in rng.sample(UNIT_PROMISES, 2)]
                items.append(("community", rng.choice(COMMUNITY_PROMISES), None))
                try:
                    agreement = m.agreement_create(unit=reg.unit, community=community, actor=actor, year=signed.year,
                                                   signed_on=signed, items=items)
                except (ValidationError, PermissionDenied):
                    continue
                counts["agreements"] += 1
                for item in agreement.items.all():
                    moment = timezone.now() + timedelta(days=rng.randint(30, 300))
                    if rng.random() < 0.6 and moment < end:
                        clock.move_to(moment)
                        m.item_deliver(item=item, actor=actor, evidence="已按协议完成，有活动照片和签到表")
                        counts["delivered"] += 1
    from .casework import settle_messages

    settle_messages(dc, end)
    log(f"三张清单：资源 {counts['resources']} 项，需求 {counts['needs']} 项，对接 {counts['matches']} 项"
        f"（项目完成 {counts['projects_done']} 个），双向服务协议 {counts['agreements']} 份（兑现 {counts['delivered']} 项）")
    return counts


def _owner(project, fallback):
    """Who reports a project's progress: a staff member of its unit when the unit has one."""
    from grassroots.accounts.models import RoleAssignment

    if project.owner_unit_id:
        found = RoleAssignment.objects.filter(unit_id=project.owner_unit_id).select_related("user").first()
        if found is not None:
            return found.user
    return fallback

