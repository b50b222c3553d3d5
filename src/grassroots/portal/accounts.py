"""Resident accounts: sign in (or up) with a phone number and a one-time code, then claim a household.

* ``signin_code_send`` sends a six-digit code through the notifications outbox (the log sender
  writes it to the worker's log in the demo). Throttled per number and per address, with counters
  every server process shares (``core.throttle``): one code a minute, five an hour and ten a day
  per number; twenty an hour per address.
* ``signin_code_verify`` checks it (five wrong tries spend a code; ten minutes to use it) and
  returns the account's user — created on the first sign-in.
* ``household_claim_submit``: name + ID number found in the resident register (through the blind
  index) ties the account to that person and household at once; otherwise — or when the person is
  already tied to another account — a claim goes to the grid worker's inbox. The resident is told
  the same either way, so the form never reveals who is in the register.
* ``household_claim_decide``: the grid worker (or community worker) confirms or refuses it.

Only a verified account holds the resident role at its household; an unverified one can report
and follow its own cases, nothing more.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.accounts.services import role_grant, roles_revoke
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.core import crypto
from grassroots.core.services import audit_record
from grassroots.core.throttle import Limit, Throttled, hit, peek, wait_text
from grassroots.notifications.models import Channel, Kind
from grassroots.notifications.services import notify, outbox_enqueue
from grassroots.people.models import Person, Relation, Resident

from .models import HouseholdClaim, ResidentAccount, SignInCode

CODE_LENGTH = 6
CODE_MINUTES = 10
CODE_TRIES = 5
SEND_LIMITS = (Limit("signin.phone.minute", 1, 60), Limit("signin.phone.hour", 5, 3600),
               Limit("signin.phone.day", 10, 86400))
SEND_PER_ADDRESS = Limit("signin.address.hour", 20, 3600)
VERIFY_PER_ADDRESS = Limit("signin.verify.address.hour", 60, 3600)
CLAIMS_PER_ACCOUNT = Limit("claim.account.day", 5, 86400)
NAME_MAX = 50
NOTE_MAX = 200

User = get_user_model()


def _phone(value: str) -> str:
    phone = crypto.normalize(value)
    if not phone:
        raise ValidationError({"phone": ["请填写手机号"]})
    if crypto.phone_problem(phone) or not phone.startswith("1"):
        raise ValidationError({"phone": ["请填写11位手机号（以1开头），用于接收验证码"]})
    return phone


def _code_hash(phone_index: str, code: str) -> str:
    return crypto.blind_index(f"signin:{phone_index}:{code}")


def _refuse_when_over(checks, field: str, what: str) -> None:
    """Count one attempt against every (limit, key) — or, when one of them is already used up, refuse
    without counting against the others (a number blocked by its address stays free elsewhere)."""
    for limit, key in checks:
        verdict = peek(limit, key)
        if not verdict.allowed:
            raise Throttled({field: [f"{what}过于频繁，请{wait_text(verdict.retry_after)}再试"]},
                            retry_after=verdict.retry_after)
    for limit, key in checks:
        verdict = hit(limit, key)
        if not verdict.allowed:  # another request took the last one meanwhile
            raise Throttled({field: [f"{what}过于频繁，请{wait_text(verdict.retry_after)}再试"]},
                            retry_after=verdict.retry_after)


def signin_code_send(*, phone: str, address: str = "") -> SignInCode:
    """Send a fresh code to ``phone`` (ValidationError keyed ``phone`` when refused). The throttles
    count outside any transaction, so a refused attempt still counts."""
    phone = _phone(phone)
    index = crypto.blind_index(phone)
    checks = [(limit, index) for limit in SEND_LIMITS] + ([(SEND_PER_ADDRESS, address)] if address else [])
    _refuse_when_over(checks, "phone", "获取验证码")
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    with transaction.atomic():
        row = SignInCode.objects.create(phone_index=index, code_hash=_code_hash(index, code),
                                        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES))
        outbox_enqueue(channel=Channel.SMS, address=phone, key=f"signin:{row.pk}",
                       text=f"【基层治理平台】您的验证码是 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作，请忽略本短信。")
    return row


@dataclass(frozen=True)
class SignedIn:
    user: object
    account: ResidentAccount
    created: bool


def signin_code_verify(*, phone: str, code: str, address: str = "") -> SignedIn:
    """The account of ``phone`` when ``code`` is its latest unused code (created on first sign-in)."""
    phone = _phone(phone)
    code = (code or "").strip()
    if not (len(code) == CODE_LENGTH and code.isdigit()):
        raise ValidationError({"code": [f"请填写短信中的{CODE_LENGTH}位数字验证码"]})
    if address:
        _refuse_when_over([(VERIFY_PER_ADDRESS, address)], "code", "验证")
    index = crypto.blind_index(phone)
    row = SignInCode.objects.filter(phone_index=index, used_at__isnull=True).order_by("-created_at").first()
    if row is None or row.expires_at <= timezone.now() or row.attempts >= CODE_TRIES:
        raise ValidationError({"code": ["验证码已失效，请重新获取"]})
    if not hmac.compare_digest(row.code_hash, _code_hash(index, code)):
        SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = CODE_TRIES - row.attempts - 1
        raise ValidationError({"code": [f"验证码不正确，还可以再试 {left} 次" if left > 0 else "验证码错误次数过多，请重新获取"]})
    with transaction.atomic():
        # Exactly one request spends the code, even two at once.
        if not SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ValidationError({"code": ["验证码已使用，请重新获取"]})
        account = ResidentAccount.objects.select_related("user").filter(
            phone_index__in=crypto.blind_indexes(phone)).first()  # an account not yet rotated to a new key too
        if account is not None:
            return SignedIn(user=account.user, account=account, created=False)
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=f"r{index[:20]}", display_name=crypto.mask_phone(phone))
                account = ResidentAccount(user=user)
                account.set_phone(phone)
                account.save()
        except IntegrityError:  # the same number signed up in another request a moment ago
            account = ResidentAccount.objects.select_related("user").get(phone_index__in=crypto.blind_indexes(phone))
            return SignedIn(user=account.user, account=account, created=False)
        audit_record(actor=user, action="resident.signup", obj=account, detail={"phone": account.phone_masked})
        return SignedIn(user=user, account=account, created=True)


# --- claiming a household -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    verified: bool  # tied at once through the register
    claim: HouseholdClaim | None  # waiting for the grid worker


def _clean_claim(name: str, id_number: str, note: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["请填写姓名（与身份证一致）"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"姓名最多{NAME_MAX}个字"]
    id_number = crypto.normalize(id_number)
    problem = crypto.id_number_problem(id_number) if id_number else "请填写身份证号"
    if problem:
        errors["id_number"] = [problem]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"补充说明最多{NOTE_MAX}个字"]
    if errors:
        raise ValidationError(errors)
    return name, id_number, note


def _tie(account: ResidentAccount, person: Person, household: Area, *, method: str, actor) -> None:
    """Tie the account to the person and household and give it the resident role there."""
    if person.user_id and person.user_id != account.user_id:
        raise ValidationError({"__all__": ["该居民在台账中已绑定另一个账号，请先与社区核实"]})
    Person.objects.filter(pk=person.pk).update(user=account.user)
    now = timezone.now()
    account.status, account.person, account.household = ResidentAccount.Status.VERIFIED, person, household
    account.method, account.verified_at = method, now
    account.verified_by = actor if method == ResidentAccount.Method.GRID_WORKER else None
    account.district_code = household.code[:6]
    account.save(update_fields=["status", "person", "household", "method", "verified_at", "verified_by",
                                "district_code"])
    by = actor or account.user  # a match in the register: the resident's own claim
    roles_revoke(actor=by, queryset=RoleAssignment.objects.filter(user=account.user, role=Role.RESIDENT)
                 .exclude(area=household))
    role_grant(user=account.user, role=Role.RESIDENT, area=household, actor=by)


def household_claim_submit(*, account: ResidentAccount, name: str, id_number: str, household: Area | None = None,
                           note: str = "") -> ClaimResult:
    """Tie ``account`` to its household: at once when the register holds a resident with this name and
    ID number (and nobody else's account is tied to them), else through a claim the grid worker of
    ``household`` confirms. Raises ValidationError keyed by field."""
    if account.verified:
        raise ValidationError({"__all__": ["您的账号已核验，无需重复认领"]})
    name, id_number, note = _clean_claim(name, id_number, note)
    if household is not None and household.level != Level.HOUSEHOLD:
        raise ValidationError({"household": ["请选择具体的住户（门牌号）"]})
    _refuse_when_over([(CLAIMS_PER_ACCOUNT, str(account.pk))], "__all__", "提交核验")
    person = Person.objects.filter(id_number_index__in=crypto.blind_indexes(id_number), name=name).first()
    residency = (Resident.objects.filter(person=person).select_related("household").order_by("pk").first()
                 if person is not None else None)
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        if account.verified:
            raise ValidationError({"__all__": ["您的账号已核验，无需重复认领"]})
        if residency is not None and (household is None or residency.household_id == household.pk) and (
                not person.user_id or person.user_id == account.user_id):
            _tie(account, person, residency.household, method=ResidentAccount.Method.REGISTER, actor=None)
            audit_record(actor=account.user, action="resident.verified", obj=account,
                         detail={"method": "register", "household": residency.household.code})
            return ClaimResult(verified=True, claim=None)
        if household is None:
            raise ValidationError({"household": ["未能与居民台账自动核验。请选择您的住户（楼栋和门牌号），由网格员确认"]})
        if account.claims.filter(status=HouseholdClaim.Status.PENDING).exists():
            raise ValidationError({"__all__": ["您已有一条待网格员确认的认领，请耐心等待"]})
        claim = HouseholdClaim(account=account, household=household, name=name, note=note,
                               district_code=household.code[:6])
        claim.set_id_number(id_number)
        claim.save()
        account.status = ResidentAccount.Status.PENDING
        account.save(update_fields=["status"])
        audit_record(actor=account.user, action="resident.claim", obj=claim, detail={"household": household.code})
        staff = _claim_deciders(household)
        notify(recipients=list(staff), kind=Kind.APPROVAL, title="居民认领住户待确认",
               body=f"{name}（{claim.id_number_masked}）申请认领{household.name}，请核实后确认。",
               link=reverse("portal:claim", args=[claim.pk]), key=f"claim:{claim.pk}", obj=claim,
               district_code=claim.district_code, audit=False)
        return ClaimResult(verified=False, claim=claim)


def _claim_deciders(household: Area) -> list:
    """Who gets the claim in their inbox: the household's grid staff, else its community's workers."""
    for roles, length in (((Role.GRID_LEADER, Role.GRID_WORKER), CODE_LENGTHS[Level.GRID]),
                          ((Role.COMMUNITY_WORKER,), CODE_LENGTHS[Level.COMMUNITY])):
        staff = list(User.objects.filter(is_active=True, roles__role__in=roles,
                                         roles__area__code=household.code[:length]).distinct())
        if staff:
            return staff
    return []


def may_decide_claim(user, claim: HouseholdClaim) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.VIEW_RESIDENTS, claim.household.code) and (
        scope.can_at(Capability.HANDLE_CASES, claim.household.code))


def household_claim_decide(*, claim: HouseholdClaim, actor, confirm: bool, reason: str = "") -> HouseholdClaim:
    """Confirm (tie the account to the household; the person and the residency are added to the
    register when missing) or refuse (with a reason the resident sees)."""
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError({"reason": ["请说明未通过的原因，居民会看到"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["原因最多200个字"]})
    with transaction.atomic():
        claim = HouseholdClaim.objects.select_for_update().select_related("household", "account__user").get(pk=claim.pk)
        if not may_decide_claim(actor, claim):
            raise PermissionDenied("只有该住户所在网格的网格员或社区工作者可以确认")
        if claim.status != HouseholdClaim.Status.PENDING:
            raise ValidationError({"__all__": [f"该认领已{claim.get_status_display()}，无需再处理"]})
        account = ResidentAccount.objects.select_for_update().get(pk=claim.account_id)
        now = timezone.now()
        if confirm:
            person = Person.objects.filter(  # either row may still be under the previous data key
                id_number_index__in=crypto.blind_indexes(crypto.decrypt(claim.id_number_enc))).first()
            if person is None:
                person = Person(name=claim.name, district_code=claim.household.code[:6])
                person.set_id_number(crypto.decrypt(claim.id_number_enc))
                person.set_phone(crypto.decrypt(account.phone_enc))
                person.save()
            Resident.objects.get_or_create(person=person, household=claim.household,
                                           defaults={"relation": Relation.OTHER})
            _tie(account, person, claim.household, method=ResidentAccount.Method.GRID_WORKER, actor=actor)
            claim.status = HouseholdClaim.Status.CONFIRMED
        else:
            claim.status, claim.reason = HouseholdClaim.Status.REFUSED, reason
            account.status = ResidentAccount.Status.UNVERIFIED
            account.save(update_fields=["status"])
        claim.decided_by, claim.decided_at = actor, now
        claim.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action=f"resident.claim_{claim.status}", obj=claim,
                     detail={"household": claim.household.code, "reason": reason})
        notify(recipients=[account.user], kind=Kind.SYSTEM,
               title="住户认领已确认" if confirm else "住户认领未通过",
               body=(f"您已与{claim.household.name}绑定。" if confirm else f"原因：{reason}"),
               link=reverse("portal:me"), key=f"claim:{claim.pk}:{claim.status}", obj=claim,
               district_code=claim.district_code, audit=False)
    return claim
