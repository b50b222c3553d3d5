"""The demo district's year of 议事协商, made through the services at the times things happened
(``time_machine``: the services stamp "now"): in every community a monthly three-party meeting, a
quarterly joint meeting of the big Party committee and a monthly residents' council, with check-ins,
minutes and resolutions (some of them 为民办实事, some with parts, most done with evidence, a few
overdue); residents' topics that gather support, reach an agenda and go to a household vote, and a
resolution on the public list where the vote passed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .casework import NOTIFY_DAYS
from .plan import rng_for

MATTERS = [  # title, what was promised, owner kind ("unit": a co-building or property unit)
    ("更换小区破损路灯", "三个月内更换12盏路灯，夜间巡查一次", "unit"),
    ("整治楼道堆物", "每栋楼清理一次，建立楼长巡查制度", "community"),
    ("增设电动车充电棚", "选址、施工、通电，杜绝飞线充电", "unit"),
    ("老旧小区加装扶手", "为高龄老人集中的楼栋加装楼道扶手", "unit"),
    ("开设四点半课堂", "为双职工家庭孩子提供课后看护", "member"),
    ("清理小区绿化带垃圾", "每月组织一次志愿清理", "community"),
    ("修复破损道路井盖", "排查并修复松动井盖", "unit"),
    ("规范小区停车秩序", "划线、编号，设置临时停车区", "community"),
    ("为独居老人安装烟感报警器", "独居老人家庭全部安装并定期检测", "member"),
    ("开放共建单位停车场错时共享", "夜间向居民开放车位", "unit"),
]
TOPICS = [
    ("楼下增设休闲座椅", "老人下楼散步没地方歇脚，建议在花坛旁放几张长椅。"),
    ("小区门禁改为刷卡", "外来人员随意进出，希望改为刷卡门禁。"),
    ("设置快递集中存放点", "快递堆在单元门口容易丢，建议设快递柜。"),
    ("增设垃圾分类督导岗", "垃圾混投严重，建议早晚高峰安排志愿者督导。"),
    ("修缮儿童游乐设施", "滑梯生锈有安全隐患，建议更换。"),
]


def load_deliberation(plan, *, end: datetime, log) -> dict:
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.areas.models import Area, Level
    from grassroots.deliberation import services as d
    from grassroots.deliberation.models import Rules, Series
    from grassroots.deliberation.selectors import units_of
    from grassroots.portal.models import ResidentAccount

    rng = rng_for(plan.seed, "deliberation")
    dc = plan.district_code
    communities = list(Area.objects.filter(code__startswith=dc, level=Level.COMMUNITY).order_by("code"))
    workers = {ra.area.code: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_WORKER, area__code__startswith=dc).select_related("area", "user").order_by("pk")}
    admin = User.objects.filter(username="admin").first()
    residents: dict[str, list] = {}
    for account in ResidentAccount.objects.filter(status="verified", district_code=dc).select_related(
            "user", "household").order_by("pk"):
        residents.setdefault(account.household.code[:len(communities[0].code)], []).append(account)
    counts = {"meetings": 0, "resolutions": 0, "topics": 0, "votes": 0, "ballots": 0, "attended": 0,
              "conventions": 0, "answering": 0}
    start = end - timedelta(days=365)
    recent = end - timedelta(days=NOTIFY_DAYS)
    real_notify = d.notify

    def notify_recent(**kwargs):  # a year of inboxes would be noise: only the last days' messages, as casework
        return real_notify(**kwargs) if timezone.now() >= recent else []

    with time_machine.travel(start, tick=False) as clock, mock.patch.object(d, "notify", notify_recent):
        for n, community in enumerate(communities):
            actor = workers.get(community.code) or admin
            people = residents.get(community.code, [])
            units = list(units_of(community)[:20])
            Rules.objects.create(community=community, topic_threshold=max(3, len(people) // 10),
                                 district_code=dc)
            series = [d.series_create(community=community, actor=actor, kind=kind)
                      for kind in (Series.Kind.THREE_PARTY, Series.Kind.JOINT, Series.Kind.COUNCIL)]
            for month in range(12):
                for s in series:
                    if s.kind == Series.Kind.JOINT and month % 3:
                        continue
                    day = start + timedelta(days=30 * month + {Series.Kind.THREE_PARTY: 5, Series.Kind.JOINT: 12,
                                                             Series.Kind.COUNCIL: 20}[s.kind], hours=10)
                    if day >= end - timedelta(days=2):
                        continue
                    counts |= _meeting(rng, d, clock, s, actor, day, people, units, end, counts)
            counts |= _topics_and_votes(rng, d, clock, community, actor, people, end, counts)
            if n % 3 == 0:
                counts |= _convention(rng, d, clock, community, actor, people, end, counts)
            counts |= _recurring_case(d, clock, series[2], actor, end, counts)
    from .casework import settle_messages

    settle_messages(dc, end)  # the year's invitations and owners' messages were read long ago
    log(f"议事协商：会议 {counts['meetings']} 次（签到 {counts['attended']} 人次），决议 {counts['resolutions']} 项，"
        f"议题 {counts['topics']} 个，表决 {counts['votes']} 次（{counts['ballots']} 票），公约 {counts['conventions']} 部，"
        f"答复反复诉求的决议 {counts['answering']} 项")
    return counts


def _meeting(rng: random.Random, d, clock, series, actor, day: datetime, people, units, end, counts) -> dict:
    from grassroots.deliberation.models import Resolution

    clock.move_to(day - timedelta(days=7))
    meeting = d.meeting_plan(series=series, actor=actor, starts_at=day, place=f"{series.community.name}议事厅",
                             invite_seats=series.kind == "joint", units=units[:3] if series.kind != "council" else ())
    counts["meetings"] += 1
    clock.move_to(day)
    code = d.checkin_code(meeting=meeting, actor=actor)
    for account in rng.sample(people, min(len(people), rng.randint(4, 12))):
        clock.move_to(day + timedelta(minutes=rng.randint(0, 20)))
        d.checkin(meeting=meeting, user=account.user, code=code)
        counts["attended"] += 1
    clock.move_to(day + timedelta(hours=2))
    title, promise, owner = rng.choice(MATTERS)
    d.meeting_record(meeting=meeting, actor=actor, minutes=f"会议听取上次决议办理情况，议定：{title}。{promise}。")
    unit = rng.choice(units) if units and owner == "unit" else None
    member = rng.choice(people).user if people and owner == "member" else None
    kind = "unit" if unit else ("member" if member else "community")
    deadline = timezone.localdate(day) + timedelta(days=rng.choice((30, 60, 90)))
    row = d.resolution_add(community=series.community, actor=actor, title=title, detail=promise, deadline=deadline,
                           owner_kind=kind, owner_unit=unit, owner_user=member, meeting=meeting,
                           practical=rng.random() < 0.5)
    counts["resolutions"] += 1
    parts = []
    if rng.random() < 0.3:
        for n in (1, 2):
            parts.append(d.resolution_add(community=series.community, actor=actor, title=f"{title}（第{n}期）",
                                          deadline=deadline, parent=row))
            counts["resolutions"] += 1
    leaves = parts or [row]
    finish = rng.random() < 0.8
    for leaf in leaves:
        moment = day + timedelta(days=rng.randint(5, 25))
        if moment >= end:
            continue
        clock.move_to(moment)
        d.resolution_progress(resolution=leaf, actor=actor, text="已启动，正在推进", progress=rng.choice((30, 50)))
        done_at = timezone.make_aware(datetime.combine(deadline, datetime.min.time())) - timedelta(days=rng.randint(0, 20))
        if finish and done_at < end:
            clock.move_to(max(done_at, moment + timedelta(days=1)))
            d.resolution_progress(resolution=Resolution.objects.get(pk=leaf.pk), actor=actor,
                                  text="已完成，居民验收满意", progress=100)
    return counts


CONVENTION_TEXT = """第一条 邻里和睦，互谅互让，有事好商量。
第二条 垃圾分类投放，不乱扔杂物，不占用楼道和消防通道。
第三条 文明养犬，出门拴绳，及时清理粪便。
第四条 电动车不进楼、不飞线充电，到充电棚集中充电。
第五条 爱护公共设施，发现损坏及时报告网格员。
第六条 关爱独居老人和困难家庭，积极参加志愿服务。
第七条 重大事项通过居民议事会协商，表决结果共同遵守。"""


def _convention(rng, d, clock, community, actor, people, end, counts) -> dict:
    """A 居民公约 adopted by a household vote early in the year; in some communities a second
    version (adding a rule on parking) put to the vote later, adopted or not."""
    if len(people) < 4:
        return counts
    start = end - timedelta(days=330)
    clock.move_to(start)
    convention = d.convention_create(area=community, actor=actor, kind="residents",
                                     title=f"{community.name}居民公约")
    counts["conventions"] += 1
    texts = [CONVENTION_TEXT, CONVENTION_TEXT + "\n第八条 车辆按划线停放，不占用绿地和消防通道。"]
    for n, text in enumerate(texts[:1 + (rng.random() < 0.5)]):
        opened = start + timedelta(days=1 + 150 * n)
        if opened + timedelta(days=10) >= end:
            break
        clock.move_to(opened)
        version = d.version_propose(convention=convention, actor=actor, text=text, closes_at=opened + timedelta(days=10),
                                    quorum_percent=30)
        yes = rng.uniform(0.75, 0.95) if n == 0 else rng.uniform(0.5, 0.9)
        for k, account in enumerate(rng.sample(people, int(len(people) * rng.uniform(0.4, 0.8)))):
            clock.move_to(opened + timedelta(minutes=30 * (k + 1)))
            try:
                d.vote_cast(vote=version.vote, user=account.user,
                            choice="yes" if rng.random() < yes else rng.choice(("no", "abstain")))
                counts["ballots"] += 1
            except (ValidationError, PermissionDenied):  # noqa: S112 — this household has voted
                continue
        clock.move_to(opened + timedelta(days=10, minutes=1))
        d.vote_close(vote=version.vote)
        counts["votes"] += 1
    return counts


def _recurring_case(d, clock, council, actor, end, counts) -> dict:
    """The problem the community's cases raise most this season, still open at the end: on the last
    council's agenda, a resolution that answers those cases when done (in progress at the end, so a
    demo user can finish it and watch the cases receive the answer)."""
    from django.db.models import Count

    from grassroots.cases.models import Case
    from grassroots.deliberation.services import OPEN_CASE

    community = council.community
    open_cases = Case.objects.filter(area__code__startswith=community.code, status__in=OPEN_CASE,
                                     category__isnull=False, created_at__gte=end - timedelta(days=180))
    top = open_cases.values("category").annotate(n=Count("pk")).order_by("-n", "category").first()
    if top is None or top["n"] < 2:
        return counts
    case = open_cases.filter(category=top["category"]).order_by("-created_at").first()
    day = end - timedelta(days=4, hours=4)
    clock.move_to(day - timedelta(days=5))
    meeting = d.meeting_plan(series=council, actor=actor, starts_at=day, place=f"{community.name}议事厅",
                             title=f"{community.name}居民议事会（专题）")
    counts["meetings"] += 1
    item = d.agenda_add_case(meeting=meeting, case=case, actor=actor)
    clock.move_to(day + timedelta(hours=2))
    d.meeting_record(meeting=meeting, actor=actor, minutes=f"专题议定：{item.title}。由社区牵头，网格员每周巡查。")
    cases = d.open_similar_cases(case)
    row = d.resolution_add(community=community, actor=actor, meeting=meeting,
                           title=f"集中解决反复反映的“{case.category.name}”问题（近半年 {len(cases)} 件）"[:120],
                           detail="社区牵头、物业配合，一个月内解决并建立长效机制",
                           deadline=timezone.localdate(day) + timedelta(days=30), cases=cases, practical=True)
    from grassroots.deliberation.models import AgendaItem

    AgendaItem.objects.filter(pk=item.pk).update(resolution=row)
    clock.move_to(day + timedelta(days=2))
    d.resolution_progress(resolution=row, actor=actor, text="已现场踏勘，制定整改方案", progress=40)
    counts["resolutions"] += 1
    counts["answering"] += 1
    return counts


def _topics_and_votes(rng: random.Random, d, clock, community, actor, people, end, counts) -> dict:
    from grassroots.deliberation.models import Rules, Topic

    if len(people) < 4:
        return counts
    threshold = Rules.objects.get(community=community).topic_threshold
    for n, (title, body) in enumerate(rng.sample(TOPICS, 3)):
        proposed = end - timedelta(days=300 - 90 * n)
        clock.move_to(proposed)
        proposer = rng.choice(people)
        topic = d.topic_propose(user=proposer.user, area=community, title=title, body=body)
        counts["topics"] += 1
        backers = [p for p in people if p.user_id != proposer.user_id]
        for k, account in enumerate(rng.sample(backers, min(len(backers), threshold + rng.randint(-2, 3)))):
            clock.move_to(proposed + timedelta(hours=6 * (k + 1)))
            try:
                d.topic_support(topic=topic, user=account.user)
            except (ValidationError, PermissionDenied):  # noqa: S112 — supported already; a closed topic
                continue
        topic.refresh_from_db()
        if topic.status != Topic.Status.READY:
            continue
        opened = proposed + timedelta(days=20)
        if opened + timedelta(days=7) >= end:
            continue
        clock.move_to(opened)
        vote = d.vote_open(actor=actor, area=community, question=f"是否同意：{title}", topic=topic,
                           closes_at=opened + timedelta(days=7), quorum_percent=rng.choice((20, 30)))
        counts["votes"] += 1
        yes = rng.uniform(0.45, 0.9)
        for k, account in enumerate(rng.sample(people, int(len(people) * rng.uniform(0.3, 0.7)))):
            clock.move_to(opened + timedelta(minutes=20 * (k + 1)))
            try:
                d.vote_cast(vote=vote, user=account.user, choice="yes" if rng.random() < yes else rng.choice(
                    ("no", "abstain")))
                counts["ballots"] += 1
            except (ValidationError, PermissionDenied):  # noqa: S112 — this household has voted
                continue
        clock.move_to(opened + timedelta(days=7, minutes=1))
        closed = d.vote_close(vote=vote)
        if closed.passed:
            d.resolution_add(community=community, actor=actor, title=title, detail=body, topic=topic,
                             deadline=timezone.localdate(opened) + timedelta(days=60), practical=True)
            counts["resolutions"] += 1
    return counts
