"""The demo's people who serve (issue 10): 双报到 units and in-service Party members with their posts and
a year of service records, volunteer teams with a year of activities and attendance, woodpeckers
with their quick reports, and micro-wishes in every state — deterministic for a seed.

Bulk rows where the services would only repeat the same write thousands of times (registrations,
records, sign-ups); the real services, backdated with ``time_machine``, where the write crosses into
another app (a woodpecker's report is a case of the case loop, with its photo) or makes files (the
quarterly feedback's .xlsx and PDF).
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from .plan import Plan, rng_for

RECORD_TEXTS = {
    "政策宣传岗": ["入户宣传医保缴费政策", "在小区广场设点宣传反诈知识", "给楼栋居民讲解垃圾分类新规"],
    "环境监督岗": ["巡查楼道堆物并劝导清理", "监督小区车辆有序停放", "清理绿化带白色垃圾"],
    "矛盾调解岗": ["调解楼上楼下漏水纠纷", "参与物业收费矛盾协商", "化解邻里噪音纠纷"],
    "关爱帮扶岗": ["看望独居老人并代购药品", "陪困难家庭孩子写作业", "为行动不便老人送餐"],
    "接单岗": ["上门核实居民诉求", "协助办理居民反映的路灯维修", "联系物业处理电梯故障"],
}
ACTIVITY_TITLES = ["清理小区楼道杂物", "敬老院慰问", "义诊进社区", "文明交通劝导", "垃圾分类宣传", "关爱留守儿童",
                   "防汛巡查", "植树护绿", "反诈宣传", "理发义剪"]
COMMITMENTS = [("会议室一间、停车位10个", "法律咨询"), ("活动场地、投影设备", "义诊、健康讲座"),
               ("车辆一台（周末）", "家电维修"), ("职工食堂（可承办敬老餐）", "技能培训"), ("", "金融知识宣传、反诈讲座")]
WISHES = [("一台收音机", "独居老人，眼睛不好，想听戏曲广播。", "goods"), ("一个新书包", "小学三年级学生，书包已经破了。", "study"),
          ("每周帮忙买一次菜", "老人腿脚不便，下楼困难。", "care"), ("修一修漏水的水龙头", "独居老人家中水龙头滴水。", "service"),
          ("一副老花镜", "老人想自己看报纸。", "goods"), ("陪老人聊聊天", "子女在外地工作，老人想有人说说话。", "care")]
WISH_STATES = ["published", "claimed", "fulfilled", "confirmed", "confirmed", "cancelled"]
RIDER_NAMES = ["张骑手", "李小军", "王师傅", "刘快递", "陈飞", "杨帆", "赵勇", "周洋"]


def _aware(day, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load_serving(plan: Plan, *, end: datetime, log, cases: bool) -> dict:
    """Everything above for ``plan``'s district, as of ``end``; returns the counts."""
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.areas.models import Area, Level
    from grassroots.orgs.models import PartyLevel, PartyOrg, Unit
    from grassroots.people.models import PartyMember, Person, Volunteer

    rng = rng_for(plan.seed, "serving")
    dc = plan.district_code
    communities = {a.code: a for a in Area.objects.filter(code__startswith=dc, level=Level.COMMUNITY)}
    admin = User.objects.filter(username="admin").first()
    password = admin.password if admin else "!"
    workers = {ra.area.code: ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_WORKER, area__code__startswith=dc).select_related("area", "user").order_by("pk")}

    def worker(code: str):
        return workers.get(code[:12]) or admin

    # Accounts for the in-service members and the volunteers (in life they sign in with a text code).
    members = list(PartyMember.objects.filter(district_code=dc, in_service=True).select_related("person"))
    volunteers = list(Volunteer.objects.filter(district_code=dc).select_related("person"))
    need = {p.pk: p for p in [m.person for m in members] + [v.person for v in volunteers] if p.user_id is None}
    made = User.objects.bulk_create([User(username=f"demo.p.{pk}", password=password, display_name=p.name)
                                     for pk, p in need.items()], batch_size=1000)
    for user, person in zip(made, need.values(), strict=True):
        person.user = user
    Person.objects.bulk_update(list(need.values()), ["user"], batch_size=1000)
    _resident_accounts(need, end=end)
    members = list(PartyMember.objects.filter(district_code=dc, in_service=True).select_related("person__user"))
    volunteers = list(Volunteer.objects.filter(district_code=dc).select_related("person__user", "area"))
    log(f"党员与志愿者账号 {len(made)} 个")

    counts = {"accounts": len(made)}
    counts |= _dual(plan, rng, end=end, communities=communities, members=members, worker=worker, log=log,
                    units=list(Unit.objects.filter(district_code=dc, kind="cobuild")),
                    branches={o.area.code: o for o in PartyOrg.objects.filter(
                        district_code=dc, level=PartyLevel.GRID_BRANCH).select_related("area")})
    counts |= _volunteering(plan, rng, end=end, communities=communities, volunteers=volunteers, worker=worker, log=log)
    counts |= _woodpeckers(plan, rng, end=end, communities=communities, worker=worker, password=password, log=log,
                           cases=cases)
    counts |= _wishes(plan, rng, end=end, communities=communities, volunteers=volunteers, worker=worker, log=log)
    _named_accounts(plan, password=password, log=log)
    return counts


def _named_accounts(plan, *, password: str, log) -> None:
    """The README's accounts of this part: a volunteer (a team leader of the demo community) and a
    co-building unit's contact (its 单位报到 page); the woodpecker is made with the roster."""
    from grassroots.accounts.models import Role, RoleAssignment, User
    from grassroots.service.models import UnitRegistration
    from grassroots.volunteers.models import TeamMember

    from .accounts import account_places

    home = account_places(plan)["community"]
    leader = (TeamMember.objects.filter(team__community__code=home, role="leader").select_related("volunteer__person__user")
              .order_by("team__name").first())
    if leader is not None and leader.volunteer.person.user is not None:
        User.objects.filter(pk=leader.volunteer.person.user_id).update(username="volunteer")
    registration = UnitRegistration.objects.filter(community__code=home).select_related("unit").order_by("unit__name").first()
    if registration is not None:
        unit_user = User.objects.create(username="unit", password=password, display_name=registration.contact_name)
        RoleAssignment.objects.create(user=unit_user, role=Role.DEPARTMENT_HANDLER, unit=registration.unit)
    log("演示账号：volunteer（志愿者）、woodpecker（啄木鸟）、unit（共建单位联系人）")


def _resident_accounts(persons: dict, *, end) -> None:
    """The accounts are verified resident accounts of the people's households (as if each had signed
    in with a text code and been found in the register): the resident role there, and the account row."""
    from grassroots.accounts.models import Role, RoleAssignment
    from grassroots.people.models import Resident
    from grassroots.portal.models import ResidentAccount

    homes = {}
    for person_id, household_id in Resident.objects.filter(person_id__in=list(persons)).order_by("pk").values_list(
            "person_id", "household_id"):
        homes.setdefault(person_id, household_id)
    RoleAssignment.objects.bulk_create([RoleAssignment(user_id=p.user_id, role=Role.RESIDENT, area_id=homes[pk])
                                        for pk, p in persons.items() if pk in homes], batch_size=1000)
    ResidentAccount.objects.bulk_create([
        ResidentAccount(user_id=p.user_id, phone_enc=p.phone_enc, phone_index=p.phone_index, phone_masked=p.phone_masked,
                        status=ResidentAccount.Status.VERIFIED, method=ResidentAccount.Method.REGISTER, person_id=pk,
                        household_id=homes[pk], verified_at=end - timedelta(days=30), district_code=p.district_code)
        for pk, p in persons.items() if pk in homes and p.phone_index], batch_size=1000, ignore_conflicts=True)


def _dual(plan, rng: random.Random, *, end, communities, members, worker, log, units, branches) -> dict:
    from grassroots.accounts.models import Role, RoleAssignment
    from grassroots.service.models import (
        Decision,
        MemberRegistration,
        Post,
        PostAssignment,
        ServiceRecord,
        UnitRegistration,
    )
    from grassroots.service.services import DEFAULT_POSTS

    dc = plan.district_code
    posts = Post.objects.bulk_create([
        Post(community=c, name=name, duties=duties, takes_cases=takes, order=i, district_code=dc)
        for c in communities.values() for i, (name, duties, takes) in enumerate(DEFAULT_POSTS)])
    by_community: dict[int, dict[str, Post]] = defaultdict(dict)
    for p in posts:
        by_community[p.community_id][p.name] = p

    unit_rows = []
    for unit in units:
        code = unit.area.code[:12] if len(unit.area.code) >= 12 else rng.choice(sorted(c for c in communities
                                                                                      if c.startswith(unit.area.code)))
        community = communities.get(code)
        if community is None:
            continue
        resources, services = rng.choice(COMMITMENTS)
        row = UnitRegistration(unit=unit, community=community, resources=resources, services=services,
                               volunteers=rng.randint(0, 12), venue_hours=rng.choice(["", "周末 9:00–17:00", "工作日晚上"]),
                               contact_name=unit.contact or "联系人", status=Decision.APPROVED, submitted_by=worker(code),
                               decided_by=worker(code), decided_at=end - timedelta(days=rng.randint(30, 700)),
                               district_code=dc)
        row.set_contact_phone(f"139{rng.randint(10_000_000, 99_999_999)}")
        unit_rows.append(row)
    UnitRegistration.objects.bulk_create(unit_rows, batch_size=500)

    from grassroots.people.models import Resident

    home = dict(Resident.objects.filter(person_id__in=[m.person_id for m in members]).order_by("pk")
                .values_list("person_id", "household__code"))
    from .accounts import account_places

    home_code = account_places(plan)["community"]
    regs, wanted, applied, waiting = [], [], [], 0
    for m in members:
        household = home.get(m.person_id)
        if household is None:
            continue
        community = communities.get(household[:12])
        if community is None:
            continue
        if community.code == home_code and waiting < 3:  # the demo community's queue to approve
            waiting += 1
            applied.append(MemberRegistration(member=m, user_id=m.person.user_id, community=community,
                                              branch=branches.get(household[:15]), district_code=dc))
            continue
        approved = end - timedelta(days=rng.randint(20, 900))
        reg = MemberRegistration(member=m, user_id=m.person.user_id, community=community, branch=branches.get(household[:15]),
                                 status=Decision.APPROVED, decided_by=worker(community.code), approved_at=approved,
                                 district_code=dc)
        regs.append(reg)
        names = rng.sample(["政策宣传岗", "环境监督岗", "矛盾调解岗", "关爱帮扶岗"], rng.choice([1, 1, 2]))
        if rng.random() < 0.15 or m.person.user.username == "member":
            names.append("接单岗")
        wanted.append(names)
    MemberRegistration.objects.bulk_create(regs, batch_size=1000)
    MemberRegistration.objects.filter(district_code=dc).update(submitted_at=F("approved_at") - timedelta(days=2))
    MemberRegistration.objects.bulk_create(applied)  # waiting since today
    assignments, records, roles = [], [], []
    today = end.date()
    for reg, names in zip(regs, wanted, strict=True):
        held = [by_community[reg.community_id][n] for n in names]
        since = timezone.localtime(reg.approved_at).date()
        assignments += [PostAssignment(registration=reg, post=p, since=since, district_code=dc) for p in held]
        if "接单岗" in names:
            roles.append(RoleAssignment(user_id=reg.user_id, role=Role.PARTY_MEMBER, area_id=reg.community_id))
        start = max(since, today - timedelta(days=365))
        for _ in range(rng.randint(0, 12)):
            day = start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
            post = rng.choice(held)
            recent = (today - day).days < 20
            status = (ServiceRecord.Status.SUBMITTED if recent and rng.random() < 0.6 else
                      ServiceRecord.Status.REJECTED if rng.random() < 0.03 else ServiceRecord.Status.VERIFIED)
            records.append(ServiceRecord(
                registration=reg, post=post, what=rng.choice(RECORD_TEXTS[post.name]), served_on=day,
                hours=Decimal(rng.choice(["1", "1.5", "2", "2.5", "3", "4"])), status=status,
                reason="时长与活动安排不符，请核对后重新提交" if status == ServiceRecord.Status.REJECTED else "",
                verified_by=worker(reg.community.code) if status != ServiceRecord.Status.SUBMITTED else None,
                verified_at=_aware(min(today, day + timedelta(days=3)), 17) if status != ServiceRecord.Status.SUBMITTED else None,
                district_code=dc))
    PostAssignment.objects.bulk_create(assignments, batch_size=2000)
    RoleAssignment.objects.bulk_create(roles, batch_size=1000, ignore_conflicts=True)
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    log(f"双报到：单位 {len(unit_rows)} 个，在职党员 {len(regs)} 名（岗位 {len(assignments)} 个，待审核 {len(applied)} 名），"
        f"服务纪实 {len(records)} 条")
    feedback = _feedback(plan, end=end, log=log)
    return {"unit_registrations": len(unit_rows), "member_registrations": len(regs) + len(applied),
            "post_assignments": len(assignments),
            "service_records": len(records), "feedback_jobs": feedback}


def _feedback(plan, *, end, log) -> int:
    """The last quarter's feedback of the demo community, made by the real job (its .xlsx and PDF)."""
    from grassroots.areas.models import Area
    from grassroots.service.feedback import feedback_request, feedback_run, previous_quarter

    from .accounts import account_places

    community = Area.objects.filter(code=account_places(plan)["community"]).first()
    if community is None:
        return 0
    job, _ = feedback_request(community=community, quarter=previous_quarter(end.date()))
    job = feedback_run(job)
    log(f"季度反馈：{community.name} {job.quarter}（{job.get_status_display()}）")
    return 1


def _volunteering(plan, rng: random.Random, *, end, communities, volunteers, worker, log) -> dict:
    from grassroots.volunteers.models import Activity, Signup, Team, TeamMember

    dc = plan.district_code
    by_team: dict[tuple[str, str], list] = defaultdict(list)
    for v in volunteers:
        by_team[(v.area.code[:12], v.team or f"{v.area.name}志愿服务队")].append(v)
    teams, members = [], []
    for (code, name), people in sorted(by_team.items()):
        community = communities.get(code)
        if community is None or len(people) < 3:
            continue
        team = Team(name=name[:60], community=community, description=f"{community.name}的{name}", district_code=dc)
        teams.append((team, people))
    Team.objects.bulk_create([t for t, _ in teams], batch_size=500)
    for team, people in teams:
        members += [TeamMember(team=team, volunteer=v, role="leader" if i == 0 else "member", district_code=dc)
                    for i, v in enumerate(people)]
    TeamMember.objects.bulk_create(members, batch_size=2000)

    activities, signups = [], []
    for team, people in teams:
        leader_user = people[0].person.user
        for month in range(-12, 2):
            start = _aware(end.date() + timedelta(days=30 * month + rng.randint(-10, 10)), rng.choice([9, 14, 19]))
            hours = Decimal(rng.choice(["2", "2.5", "3"]))
            past = start + timedelta(hours=float(hours)) < end
            activity = Activity(team=team, community=team.community, title=rng.choice(ACTIVITY_TITLES),
                                place=f"{team.community.name}{rng.choice(['广场', '党群服务中心', '小区门口', '活动室'])}",
                                starts_at=start, ends_at=start + timedelta(hours=float(hours)), slots=rng.randint(6, 15),
                                hours=hours, status=Activity.Status.CLOSED if past else Activity.Status.OPEN,
                                organiser=leader_user, district_code=dc)
            activities.append((activity, rng.sample(people, min(len(people), rng.randint(3, activity.slots + 2)))))
    Activity.objects.bulk_create([a for a, _ in activities], batch_size=1000)
    for activity, people in activities:
        past = activity.status == Activity.Status.CLOSED
        for i, v in enumerate(people):
            if past:
                roll = rng.random()
                status = ("no_show" if roll < 0.08 else "cancelled" if roll < 0.12 else "checked_out")
            else:
                status = "signed_up" if i < activity.slots else "waitlisted"
            done = status == "checked_out"
            signups.append(Signup(
                activity=activity, volunteer=v, user_id=v.person.user_id, status=status,
                checked_in_at=activity.starts_at if done else None, checked_out_at=activity.ends_at if done else None,
                hours=activity.hours if done else None, confirmed_by=activity.organiser if done else None,
                confirmed_at=activity.ends_at + timedelta(hours=2) if done else None, district_code=dc))
    Signup.objects.bulk_create(signups, batch_size=2000)
    log(f"志愿服务：服务队 {len(teams)} 支（队员 {len(members)}），活动 {len(activities)} 场，报名 {len(signups)} 人次")
    return {"teams": len(teams), "activities": len(activities), "signups": len(signups)}


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 72), "#778899").save(buffer, format="JPEG")
    return buffer.getvalue()


def _woodpeckers(plan, rng: random.Random, *, end, communities, worker, password, log, cases: bool) -> dict:
    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.accounts.models import User
    from grassroots.areas.models import Area, Level
    from grassroots.woodpeckers.models import Woodpecker
    from grassroots.woodpeckers.services import QUICK_CATEGORIES, quick_report_judge, quick_report_submit

    from .accounts import account_places

    dc = plan.district_code
    home = account_places(plan)["community"]
    users, rows = [], []
    for n, code in enumerate(sorted(communities)):
        for k in range(4 if code == home else 2):
            group = ["rider", "courier", "resident", "party_member"][k % 4]
            username = "woodpecker" if code == home and k == 0 else f"demo.wp.{n}.{k}"
            users.append(User(username=username, password=password, display_name=rng.choice(RIDER_NAMES)))
            rows.append((code, group, k))
    users = User.objects.bulk_create(users)
    woodpeckers = Woodpecker.objects.bulk_create([
        Woodpecker(user=u, name=u.display_name, community=communities[code], group=group,
                   duties=["patroller", "monitor"] if k % 2 == 0 else ["patroller", "publicist"],
                   platform={"rider": "美团外卖", "courier": "顺丰速运"}.get(group, ""),
                   status="applied" if code == home and k == 3 else "active",
                   decided_by=None if code == home and k == 3 else worker(code),
                   joined_at=None if code == home and k == 3 else end - timedelta(days=rng.randint(60, 400)),
                   district_code=dc) for u, (code, group, k) in zip(users, rows, strict=True)])
    reports = judged = 0
    if cases:
        grids = defaultdict(list)
        for b in Area.objects.filter(code__startswith=dc, level=Level.BUILDING).exclude(lat=None).values("code", "lat", "lng"):
            grids[b["code"][:12]].append(b)
        photo = _photo()
        keys = [k for k, _l, _p in QUICK_CATEGORIES]
        from unittest import mock

        from grassroots.cases import services as case_services

        from .casework import _seeded_codes

        codes = {"rng": random.Random(f"grassroots-demo:{plan.seed}:woodpecker-codes")}
        with time_machine.travel(end - timedelta(days=14), tick=False) as traveller, \
                mock.patch.object(case_services, "random_code", _seeded_codes(case_services.random_code, codes)):
            for w in woodpeckers:
                if w.status != "active" or not grids.get(w.community.code):
                    continue
                for i in range(3 if w.user.username == "woodpecker" else rng.randint(1, 2)):
                    when = end - timedelta(days=rng.randint(1, 13), hours=rng.randint(0, 10))  # the last fortnight
                    traveller.move_to(when)
                    spot = rng.choice(grids[w.community.code])
                    done = quick_report_submit(
                        reporter=w.user, key=f"demo-{w.pk}-{i}-{plan.seed:08d}", category=rng.choice(keys),
                        lat=spot["lat"] + rng.uniform(-0.0002, 0.0002), lng=spot["lng"] + rng.uniform(-0.0002, 0.0002),
                        photo=SimpleUploadedFile("IMG.jpg", photo, content_type="image/jpeg"), taken_at=when)
                    reports += 1
                    if rng.random() < 0.75 and (i > 0 or w.user.username != "woodpecker"):
                        staff = _grid_staff(done.report.area_code) or worker(w.community.code)
                        traveller.move_to(when + timedelta(hours=rng.randint(2, 20)))
                        quick_report_judge(report=done.report, actor=staff, valid=rng.random() < 0.85,
                                           reason="现场核实无此问题")
                        judged += 1
        from .casework import settle_messages

        settle_messages(dc, end)  # the reports' messages went out and were read, as the cases' were
    log(f"啄木鸟：队员 {len(woodpeckers)} 名，随手拍 {reports} 件（已核实 {judged}）")
    return {"woodpeckers": len(woodpeckers), "quick_reports": reports}


def _grid_staff(grid_code: str):
    from grassroots.accounts.models import Role, RoleAssignment

    ra = RoleAssignment.objects.filter(role=Role.GRID_WORKER, area__code=grid_code).select_related("user").first()
    return ra.user if ra else None


def _wishes(plan, rng: random.Random, *, end, communities, volunteers, worker, log) -> dict:
    from django.core.files.base import ContentFile

    from grassroots.wishes.models import Wish
    from grassroots.wishes.services import claimer_label

    dc = plan.district_code
    by_community = defaultdict(list)
    for v in volunteers:
        by_community[v.area.code[:12]].append(v)
    rows = []
    photo = _photo()
    for code, community in sorted(communities.items()):
        helpers = by_community.get(code) or []
        for i, state in enumerate(WISH_STATES if helpers else ["published"]):
            title, story, kind = WISHES[(i + len(rows)) % len(WISHES)]
            published = end - timedelta(days=rng.randint(5, 200))
            wish = Wish(community=community, title=title, story=story, kind=kind, private_name=rng.choice(["张秀英", "李桂兰", "王德福", "刘长生"]),
                        status=state, published_by=worker(code), district_code=dc)
            wish.published_at = published
            if state not in ("published", "cancelled"):
                helper = rng.choice(helpers)
                wish.claimed_by, wish.claimer_label = helper.person.user, claimer_label(helper.person.user) or "志愿者"
                wish.claimed_at = published + timedelta(days=rng.randint(1, 4))
            if state in ("fulfilled", "confirmed"):
                wish.fulfilled_at = wish.claimed_at + timedelta(days=rng.randint(1, 6))
                wish.fulfil_note = "已送到，老人很高兴"
                wish.proof.save("proof.jpg", ContentFile(photo), save=False)
            if state == "confirmed":
                wish.confirmed_by, wish.confirmed_at = worker(code), wish.fulfilled_at + timedelta(days=1)
            rows.append(wish)
    Wish.objects.bulk_create(rows, batch_size=500)
    for wish in rows:  # auto_now_add stamped "now": put back each wish's own day
        Wish.objects.filter(pk=wish.pk).update(published_at=wish.published_at)
    log(f"微心愿 {len(rows)} 个")
    return {"wishes": len(rows)}
