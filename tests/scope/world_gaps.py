"""The scope matrix's world, continued: objects of the kinds whose id-addressed pages were never
asked with another place's id (import jobs, hotline imports, household claims, a training job,
topics, votes, conventions, progress notes, resources, project notes, redemptions, star ratings,
quarterly feedback), and the monthly reports' files made by the report worker.

Each kind is made through its app's services, on street 1's side (community c1, grid A) and on
street 2's side (community c3, grid E), so that every user of the matrix is thrown an id of a place
they may not see. Markers sit in the text fields a person reads; kinds whose text is public by
design (a topic's title, a vote's question, a convention's name, a progress note) carry none — for
them the matrix checks that nobody changes them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.core import crypto
from tests.factories import make_user

# the place a kind's objects are filed under on each side: (street 1's, street 2's)
SIDES = (("A", "c1", "s1"), ("E", "c3", "s2"))


def put_both(world, kind: str, pair) -> None:
    """File ``pair`` = (street 1's object, street 2's) under every place of its side that holds it."""
    for places, obj in zip(SIDES, pair, strict=True):
        for place in places:
            world.put(kind, place, obj)


def build_gaps(world, *, files: bool = True) -> None:
    """``files``: let the workers make street 2's monthly report and community c3's quarterly
    feedback (a second or so each: only worlds whose user is thrown street 2's ids need them)."""
    tree = world.tree
    world.users_extra = {
        "street_admin_2": make_user("street_admin_2", Role.STREET_ADMIN, area=tree.streets[1]),
        "community_worker_3": make_user("community_worker_3", Role.COMMUNITY_WORKER, area=tree.communities[2]),
    }
    staff = {"s1": tree.user("street_admin_1"), "s2": world.users_extra["street_admin_2"],
             "c1": tree.user("community_worker_1"), "c3": world.users_extra["community_worker_3"]}
    _imports(world, staff)
    _claims(world)
    _deliberation(world, staff)
    _matching(world, staff)
    _points(world)
    _stars(world)
    _feedback(world, staff, files)
    _rows_made_on_the_way(world, staff)
    _teams_matches_settings(world, staff)
    _merged_and_routed(world)
    if files:
        make_reports(world, "s2")


def _imports(world, staff) -> None:
    """A failed register import and an uploaded 12345 export of a street administrator of each
    street: seen by their uploader on the pages, and in the admin (scoped by area) by those above
    their street — so the markers carry the uploader and the street."""
    from grassroots.intake.hotline import hotline_upload
    from grassroots.registers.services import import_job_create, import_job_run
    from tests.registers.util import RESIDENT_HEADERS, upload_file, xlsx_bytes

    jobs, hotline = [], []
    for s in ("s1", "s2"):
        user = staff[s]
        row = [f"MKR{s}improwZ", "999999999999999999"] + [""] * (len(RESIDENT_HEADERS) - 2)
        job = import_job_create(user=user, register="residents",
                                upload=upload_file(xlsx_bytes(RESIDENT_HEADERS, [row]), name=f"MKR{s}jobZ.xlsx"))
        job = import_job_run(job=job)
        assert job.status == "failed", job.errors
        world.mark(f"MKR{s}jobZ", f"@{user.username}", s)
        world.mark(f"MKR{s}improwZ", f"@{user.username}", s)
        jobs.append(job)
        csv = f"工单编号,诉求内容,联系人\nMKR{s}hotidZ,MKR{s}hotrowZ,张三\n".encode()
        hotline.append(hotline_upload(user=user, upload=SimpleUploadedFile(f"MKR{s}hotZ.csv", csv,
                                                                              content_type="text/csv")))
        for m in (f"MKR{s}hotZ", f"MKR{s}hotidZ", f"MKR{s}hotrowZ"):
            world.mark(m, f"@{user.username}", s)
    put_both(world, "registers.importjob", jobs)
    put_both(world, "intake.hotlineimport", hotline)


def _claims(world) -> None:
    """A resident account of each side claims a household of grid A / grid E: its grid worker
    (else its community's workers) confirms it; nobody else sees the claim."""
    from grassroots.notifications.models import OutboxMessage
    from grassroots.portal import accounts

    claims = []
    for n, (letter, _c, _s) in enumerate(SIDES):
        phone = f"1391234567{n}"
        accounts.signin_code_send(phone=phone)
        text = OutboxMessage.objects.filter(address_index=crypto.blind_index(phone)).order_by("-pk").first().text
        account = accounts.signin_code_verify(phone=phone, code=re.search(r"验证码是 (\d{6})", text)[1]).account
        household = world.tree.households[4 * "ABCDEFGH".index(letter) + 1]
        result = accounts.household_claim_submit(
            account=account, name=f"MKR{letter}claimZ", id_number=crypto.id_number_with_check(f"42030319900101{n:03d}"),
            household=household, note=f"MKR{letter}claimnoteZ")
        claims.append(result.claim)
        world.mark(f"MKR{letter}claimZ", letter)
        world.mark(f"MKR{letter}claimnoteZ", letter)
        world.mark(phone, letter)
        world.mark(crypto.mask_phone(phone), letter)
    put_both(world, "portal.householdclaim", claims)


def _deliberation(world, staff) -> None:
    """A topic, a vote, a convention and a progress note in community c1 and in c3 (public pages by
    design: no marker; the matrix checks nobody outside may support, vote or report on them)."""
    from grassroots.deliberation.services import (
        convention_create,
        resolution_progress,
        topic_propose,
        vote_open,
    )
    from grassroots.routing.services import training_request

    topics, votes, conventions, notes = [], [], [], []
    for _letter, c, _s in SIDES:
        community, actor = world.areas[c], staff[c]
        topics.append(topic_propose(user=actor, area=community, title=f"加装电梯{c}", body="高层老人上下楼难"))
        votes.append(vote_open(actor=actor, area=community, question=f"是否加装电梯{c}",
                               closes_at=timezone.now() + timedelta(days=7)))
        conventions.append(convention_create(area=community, actor=actor, kind="residents", title=f"居民公约{c}"))
        notes.append(resolution_progress(resolution=world.objects["deliberation.resolution"][c], actor=actor,
                                         text="已完成意见征集", progress=30))
    put_both(world, "deliberation.topic", topics)
    put_both(world, "deliberation.vote", votes)
    put_both(world, "deliberation.convention", conventions)
    put_both(world, "deliberation.progressnote", notes)
    # the routing model's training job is the district's (one model for all): no place, no marker
    job, _ = training_request(actor=staff["s2"], reason="定期")
    put_both(world, "routing.trainingjob", (job, job))


def _matching(world, staff) -> None:
    """A resource of each community (its detail is a marker) and a note on each project."""
    from grassroots.matching.services import project_progress, resource_add

    resources, notes = [], []
    for _letter, c, _s in SIDES:
        resources.append(resource_add(community=world.areas[c], actor=staff[c], kind="venue", title=f"活动室{c}",
                                      detail=f"MKR{c}resourceZ"))
        world.mark(f"MKR{c}resourceZ", c, "u1")  # (u1 serves these communities' needs)
        notes.append(project_progress(project=world.objects["matching.project"][c], actor=staff[c],
                                      text="已选址", progress=20))
    put_both(world, "matching.resource", resources)
    put_both(world, "matching.projectnote", notes)


def _points(world) -> None:
    """The community's volunteer earns 100 points and redeems its offer: the one-time code is theirs
    and their community's (the merchant checks it)."""
    from grassroots.points.earning import Earning
    from grassroots.points.services import award_earning, redeem

    rows = []
    for _letter, c, _s in SIDES:
        user = world.objects["volunteers.signup"][c].user
        community = world.areas[c]
        award_earning(Earning(source=f"scope:{c}", event="volunteer_hour", user=user, community=community,
                              area_code=community.code, occurred_at=timezone.now(), title="志愿服务",
                              units=Decimal(10)), notify_user=False)
        row = redeem(offer=world.objects["points.offer"][c], user=user, key=f"scope-redeem-{c}")
        world.mark(row.code, c, f"@{user.username}")
        world.bounded.add(row.code)
        rows.append(row)
    put_both(world, "points.redemption", rows)


def _stars(world) -> None:
    """This year's scheme, and the star rating of grid A's and grid E's Party branch."""
    from grassroots.stars.services import scheme_ensure, star_rating_compute

    admin = world.tree.user("district_admin")
    scheme = scheme_ensure(district_code=world.tree.district.code, year=timezone.localdate().year, actor=admin)
    ratings = [star_rating_compute(scheme=scheme, org=world.objects["orgs.partyorg"][letter], actor=admin)
               for letter, _c, _s in SIDES]
    put_both(world, "stars.starrating", ratings)
    world.star_scheme = scheme


def _feedback(world, staff, files: bool) -> None:
    """This quarter's 双报到 feedback of c1 and c3; c3's made by the worker (its files list the
    members and their service records)."""
    from grassroots.service.feedback import feedback_request, feedback_run, quarter_of

    jobs = []
    for _letter, c, _s in SIDES:
        job, _ = feedback_request(community=world.areas[c], quarter=quarter_of(timezone.localdate()), actor=staff[c])
        if files and c == "c3":
            job = feedback_run(job)
            assert job.status == "done", job.error
        jobs.append(job)
    put_both(world, "service.feedbackjob", jobs)


def _rows_made_on_the_way(world, staff) -> None:
    """Rows the services above (and the base world) made along the way, filed under their place so
    that their admin pages are asked with another place's id too: the points' award and ledger
    rows, the resident accounts and their text messages, the claims' audit entries, the rating's
    events, posts, meeting series, users and their roles, street 2's staff's notifications."""
    from grassroots.accounts.models import RoleAssignment
    from grassroots.core.models import AuditEntry
    from grassroots.ledger.models import Account, Entry, Transfer
    from grassroots.notifications.models import OutboxMessage
    from grassroots.notifications.services import notify
    from grassroots.points.models import Award, Policy
    from grassroots.service.models import Post
    from grassroots.stars.models import StarRatingEvent

    for side, (letter, c, _s) in enumerate(SIDES):
        community = world.areas[c]
        award = Award.objects.get(source=f"scope:{c}")
        transfer = Transfer.objects.get(pk=award.transfer_id)
        claim = world.objects["portal.householdclaim"][letter]
        rating = world.objects["stars.starrating"][letter]
        rows = {
            "points.award": award, "ledger.transfer": transfer,
            "ledger.entry": Entry.objects.filter(transfer=transfer).first(),
            "ledger.account": Account.objects.filter(community_code=community.code).first(),
            "points.policy": Policy.objects.get_or_create(community=community,
                                                          defaults={"district_code": community.code[:6]})[0],
            "portal.residentaccount": claim.account,
            "notifications.outboxmessage": OutboxMessage.objects.filter(
                address_masked=claim.account.phone_masked).first(),
            "core.auditentry": AuditEntry.objects.filter(action="resident.claim").order_by("pk")[side],
            "stars.starratingevent": StarRatingEvent.objects.filter(rating=rating).first(),
            "service.post": Post.objects.filter(community=community).first(),
            "deliberation.series": world.objects["deliberation.meeting"][c].series,
            "accounts.user": staff[c],
            "accounts.roleassignment": RoleAssignment.objects.filter(user=staff[c]).first(),
        }
        for kind, row in rows.items():
            assert row is not None, kind
            for place in SIDES[side]:
                world.put(kind, place, row)
    for c in ("s2", "c3"):  # the inbox of street 2's staff (only its recipient may read it)
        user = staff[c]
        marker = f"MKR{user.username}noteZ"
        (note,) = notify(recipients=[user], kind="system", title=marker, body="x", key=f"scope-{user.username}")
        world.mark(marker, f"@{user.username}")
        world.put("notifications.notification", c, note)


def _teams_matches_settings(world, staff) -> None:
    """A volunteer team and a need-resource match in c1 and c3, each street's routing settings with
    a category threshold, community c1's seat on its Party committee (base world)."""
    from grassroots.cases.models import Category
    from grassroots.matching.services import match_accept
    from grassroots.routing.models import CategoryThreshold
    from grassroots.routing.services import street_settings_update
    from grassroots.volunteers.services import team_create

    today = timezone.localdate()
    category = Category.objects.filter(level=3).order_by("code").first()
    teams, matches, settings, thresholds = [], [], [], []
    for _letter, c, s in SIDES:
        community = world.areas[c]
        teams.append(team_create(community=community, actor=staff[c], name=f"服务队{c}"))
        matches.append(match_accept(need=world.objects["matching.need"][c],
                                    resource=world.objects["matching.resource"][c], actor=staff[c],
                                    deadline=today + timedelta(days=30)))
        settings.append(street_settings_update(street=world.areas[s], actor=staff[s], policy="off",
                                               default_threshold=0.8, thresholds={category.pk: 0.9}))
        thresholds.append(CategoryThreshold.objects.filter(category=category).order_by("-pk").first())
    put_both(world, "volunteers.team", teams)
    put_both(world, "matching.match", matches)
    put_both(world, "routing.streetsettings", settings)
    put_both(world, "routing.categorythreshold", thresholds)
    for place in SIDES[0]:
        world.put("orgs.committeeseat", place, world.people.seat)
    # a property company of community c3 and its 双向服务协议 (the base world's units and agreement
    # are street 1's and the district's)
    from grassroots.matching.services import agreement_create
    from grassroots.orgs.services import unit_create
    from grassroots.service.services import unit_register, unit_registration_decide

    unit = unit_create(name="幸福物业", kind="property", area=world.areas["c3"], actor=world.tree.user("district_admin"))
    handler = make_user("unit_c3_handler", Role.DEPARTMENT_HANDLER, unit=unit)
    registration = unit_register(unit=unit, community=world.areas["c3"], actor=handler, services="保洁",
                                 contact_name="李经理", contact_phone="13500009999")
    unit_registration_decide(registration=registration, actor=world.tree.user("district_admin"), approve=True)
    agreement = agreement_create(unit=unit, community=world.areas["c3"], actor=staff["c3"], year=today.year,
                                 signed_on=today, items=[("unit", "每月清理楼道一次", None)])
    for place in SIDES[1]:
        world.put("orgs.unit", place, unit)
        world.put("matching.agreement", place, agreement)


def _merged_and_routed(world) -> None:
    """On each side (grid A, grid E): a duplicate merged into an answered original and its resident's
    rating of it (their comment is a marker of the grid), and a routing suggestion for the original
    that its dispatcher corrected (routing keeps the correction). The suggestion is written as the
    routing step writes it: the matrix's world trains no model."""
    from grassroots.cases.models import Category, Channel, Rating
    from grassroots.cases.services import case_accept, case_create, case_reply, case_start
    from grassroots.duplicates.services import duplicate_merge, merged_rate
    from grassroots.routing.models import RoutingCorrection, RoutingSuggestion
    from grassroots.routing.services import case_categorize

    admin = world.tree.user("district_admin")
    predicted, chosen = Category.objects.filter(level=3).order_by("code")[:2]
    rows: dict[str, list] = {"duplicates.mergedrating": [], "routing.routingsuggestion": [],
                             "routing.routingcorrection": []}
    for letter, _c, _s in SIDES:
        first = case_create(title="垃圾桶满了没人清", body="小区东门垃圾桶满了三天没人清", channel=Channel.RESIDENT_WEB,
                            area=world.areas[letter])
        again = case_create(title="垃圾桶满了没人清", body="小区东门垃圾桶满了三天没人清", channel=Channel.RESIDENT_WEB,
                            area=world.areas[letter])
        suggestion = RoutingSuggestion.objects.create(
            case=first, model_version="scope-world", top_confidence=0.4, threshold=0.8,
            decision=RoutingSuggestion.Decision.SUGGESTED, district_code=first.district_code,
            items=[{"category": predicted.pk, "code": predicted.code, "path": predicted.name, "p": 0.4}])
        case_categorize(case=first, category=chosen, actor=admin)
        duplicate_merge(case=again, into=first, actor=admin)
        case_accept(case=first, actor=admin)
        case_start(case=first, actor=admin)
        case_reply(case=first, reply="已清运", actor=admin)
        marker = f"MKR{letter}mrateZ"
        rows["duplicates.mergedrating"].append(merged_rate(case=again, rating=Rating.SATISFIED, comment=marker,
                                                           tracking_code=again.tracking_code))
        world.mark(marker, letter)
        rows["routing.routingsuggestion"].append(suggestion)
        rows["routing.routingcorrection"].append(RoutingCorrection.objects.get(case=first))
    for kind, pair in rows.items():
        put_both(world, kind, pair)


def make_reports(world, *places: str) -> None:
    """This month's report of each street in ``places``, made as the report worker makes it (its
    .xlsx and PDF saved on the row)."""
    from grassroots.reports import services

    for place in places:
        report = services.report_run(report=world.objects["reports.monthlyreport"][place])
        assert report.status == "done" and report.pdf and report.xlsx, report.error
