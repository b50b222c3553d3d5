"""Writes of the intake app: API clients (create with a key shown once, revoke) and cases received
from them (the push API and Open311 ``POST requests``), each with its receipt.

A client's key is ``gr_`` + 40 random characters; only its SHA-256 is stored, so a lost key cannot be
shown again: the admin creates a new client and revokes the old one.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from grassroots.areas.geo import district
from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case, Category
from grassroots.cases.services import case_likes_update, case_receive
from grassroots.core import crypto
from grassroots.core.memo import memoized
from grassroots.core.services import audit_record

from .models import ApiClient, IntakeReceipt
from .placement import Gazetteer, Placement

KEY_PREFIX = "gr_"
KEY_RANDOM_BYTES = 30  # 40 url-safe characters
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_LENGTH = 20


def key_hash(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


@transaction.atomic
def api_client_create(*, name: str, source: str, district: Area, actor) -> tuple[ApiClient, str]:
    """A new active client and its key (the only time the key is available)."""
    name, source = (name or "").strip(), (source or "").strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = "请填写客户端名称（最多100字），如“市12345平台”"
    if not source or len(source) > 32:
        errors["source"] = "请填写来源系统名称（最多32字），如“12345”"
    if district is None or district.level != Level.DISTRICT:
        errors["district"] = "请选择客户端所属的区县"
    if errors:
        raise ValidationError(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    client = ApiClient.objects.create(name=name, source=source, district=district, key_prefix=key[:10],
                                      key_hash=key_hash(key), created_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="intake.client_create", obj=client,
                 detail={"name": name, "source": source, "key_prefix": client.key_prefix})
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor) -> ApiClient:
    """Stop a client: its key is refused from now on (its cases stay)."""
    if client.active:
        client.active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["active", "revoked_at"])
        audit_record(actor=actor, action="intake.client_revoke", obj=client, detail={"key_prefix": client.key_prefix})
    return client


def api_client_authenticate(key: str | None) -> ApiClient | None:
    """The active client holding ``key``, or None. Records the last use (at most once a minute)."""
    key = (key or "").strip()
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    # One row by its hash: no join to the district and no sort (the model's ordering). Built through the
    # ORM with both, this read cost about 1.7 ms of every Open311 create against 0.7 ms without them
    # (docs/benchmarks.md, "stop 35"); a caller that needs the district asks ``client_district``.
    client = next(iter(ApiClient.objects.filter(key_hash=key_hash(key), active=True).order_by()[:1]), None)
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > TOUCH_EVERY:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def client_district(client: ApiClient) -> Area:
    """The client's district, from the copy of the districts kept in memory (``areas.geo.district``), or
    read once when that copy does not have it yet."""
    return district(client.district_code) or client.district


# --- placing -------------------------------------------------------------------------------------

_gazetteers: dict[str, tuple[tuple, Gazetteer]] = {}
_lock = threading.Lock()


GAZETTEER_VERSIONS = "intake.gazetteer_versions"  # core.memo: forgotten when an area is saved (apps.py)


def gazetteer_for(district: Area) -> Gazetteer:
    """The district's gazetteer, kept per process and reloaded when its areas change: the version of
    its areas (count, last id, last change) is looked up at most every few seconds (core.memo) — at
    once in the process that saved an area, within ``memo.TTL_SECONDS`` in the others — not on every
    submit (it counted the district's areas: 4 ms of each Open311 create at 100,000 cases)."""
    versions: dict[str, tuple] = memoized(GAZETTEER_VERSIONS, dict)
    key = versions.get(district.code)
    if key is None:
        key = versions[district.code] = tuple(
            Area.objects.filter(code__startswith=district.code)
            .aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at")).values())
    cached = _gazetteers.get(district.code)
    if cached is not None and cached[0] == key:
        return cached[1]
    gazetteer = Gazetteer.load(district)
    with _lock:
        _gazetteers[district.code] = (key, gazetteer)
    return gazetteer


# --- receiving ------------------------------------------------------------------------------------


@dataclass
class Received:
    case: Case
    created: bool
    receipt: IntakeReceipt


def _token() -> str:
    return secrets.token_urlsafe(15)[:TOKEN_LENGTH]


def case_receive_from_client(*, client: ApiClient, channel: str, title: str, body: str, placement: Placement,
                             address: str = "", category: Category | None = None, urgency: str = "general",
                             contact_name: str = "", contact_phone: str = "", email: str = "",
                             anonymous: bool = False, external_id: str = "", intake_key: str = "",
                             media_url: str = "", likes: int | None = None, dislikes: int | None = None) -> Received:
    """A case from another system through ``case_receive`` (idempotent on ``external_id`` within the
    client's source and district, and on ``intake_key``), with its receipt. The same work order sent
    again with newer vote counts updates them (``case_likes_update``).

    A new case's receipt is written in the case's own transaction (``also=``), so the checks before it run
    outside the write lock and the rows commit together. The receipt is the record of which client sent
    the case, and when; the case's hash-chained ``report`` event records the channel, and the case its
    source and external id. (An audit entry said the same again: a second hash chain's lock, head and
    row in every create, until stop 35.)"""
    receipts: list[IntakeReceipt] = []

    def receipt(case: Case) -> None:
        receipts[:] = [_receipt(client, case, media_url=media_url, email=email)]

    case, created = case_receive(
        title=title, body=body, channel=channel, area=placement.area,
        lat=placement.lat if placement.area else None, lng=placement.lng if placement.area else None,
        district_code=placement.district_code, address=address, category=category, urgency=urgency,
        anonymous=anonymous, contact_name=contact_name, contact_phone=contact_phone,
        intake_key=intake_key, external_source=client.source, external_id=external_id,
        likes=likes, dislikes=dislikes, also=receipt,
    )
    if created:
        return Received(case=case, created=True, receipt=receipts[0])
    # The same request again: the first one's receipt (made now if that case came another way).
    if case.external_id == external_id and (likes is not None or dislikes is not None):
        case_likes_update(case=case, likes=likes, dislikes=dislikes, actor=None)
    with transaction.atomic():
        receipt = IntakeReceipt.objects.filter(case=case).first() or _receipt(
            client, case, media_url=media_url, email=email)
    return Received(case=case, created=False, receipt=receipt)


def _receipt(client: ApiClient, case: Case, *, media_url: str, email: str) -> IntakeReceipt:
    return IntakeReceipt.objects.create(
        client=client, case=case, token=_token(), media_url=media_url,
        contact_email_enc=crypto.encrypt(email) if email else "", district_code=case.district_code)


def client_intake_key(client: ApiClient, key: str) -> str:
    """The case's ``intake_key`` for a client's Idempotency-Key: namespaced per client, fixed length."""
    return "api:" + hashlib.sha256(f"{client.pk}:{key}".encode()).hexdigest()[:48]
