"""The resident's report (and the staff's patrol or walk-in entry of one): a case and its photos in
one all-or-nothing write.

``report_submit`` checks everything first — the text, the place, the contact, every photo — and
raises one ValidationError keyed by form field with every problem at once; only then does it call
``cases.services.case_receive``, whose transaction also stores the photos (``attachments_add`` as its
``also=`` callback).
A double-clicked button sends the same ``intake_key`` twice: the second call returns the first
case (``created`` False) and stores no photos again. The key the form carries is never stored as it
is: ``case_receive`` gets an HMAC of it under the portal's own prefix, so a visitor who types another
channel's key (an API client's "order-123") into the form cannot fetch that channel's case — and its
tracking code — back from the result page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from grassroots.areas.geo import GridLocateError, PointOutsideGrids, check_coordinates, grid_locate
from grassroots.areas.models import Area
from grassroots.cases.attachments import CheckedPhoto, attachments_add, attachments_discard, photos_check
from grassroots.cases.models import Case, CaseAttachment, Category, Channel
from grassroots.cases.selectors import category_by_code
from grassroots.cases.services import case_receive
from grassroots.core import crypto
from grassroots.worktime.models import Urgency

from .selectors import building_in, category_urgency

DESCRIPTION_MAX = 5000
TITLE_MAX = 200
TITLE_WORDS = 20  # a derived title: the first sentence, at most this many characters
ADDRESS_MAX = 200
CONTACT_NAME_MAX = 50
INTAKE_KEY_PREFIX = "r:"


class Place:
    BUILDING = "building"
    MAP = "map"
    PHOTO = "photo"
    ADDRESS = "address"


@dataclass(frozen=True)
class ReportResult:
    case: Case
    created: bool
    place_from: str  # Place.*: how the case was placed
    attachments: list[CaseAttachment] = field(default_factory=list)


def new_intake_key() -> str:
    """A fresh one-time key for a report form (the hidden field that makes a double submit harmless)."""
    return secrets.token_urlsafe(24)


def stored_intake_key(form_key: str) -> str:
    """The key ``case_receive`` sees for a form's key: namespaced and keyed, '' for no usable key."""
    form_key = (form_key or "").strip()
    if not 16 <= len(form_key) <= 64:
        return ""  # no idempotency rather than a guessable key
    digest = hmac.new(settings.SECRET_KEY.encode(), b"portal-intake:" + form_key.encode(), hashlib.sha256)
    return INTAKE_KEY_PREFIX + digest.hexdigest()[:40]


def title_from(description: str) -> str:
    """A title from the first words of the description: its first sentence, shortened."""
    text = " ".join((description or "").split())
    sentence = re.split(r"[。！？!?；;\n]", text, maxsplit=1)[0].strip(" ，,、")
    if len(sentence) <= TITLE_WORDS:
        return sentence or text[:TITLE_WORDS]
    clause = re.split(r"[，,、：:]", sentence, maxsplit=1)[0].strip()
    if 4 <= len(clause) <= TITLE_WORDS:
        return clause
    return sentence[:TITLE_WORDS].rstrip() + "…"


@dataclass
class _Checked:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _text(value: str, *, key: str, label: str, maximum: int, checked: _Checked, required: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        checked.add(key, f"请填写{label}")
    elif len(value) > maximum:
        checked.add(key, f"{label}不能超过{maximum}个字（现有{len(value)}个字），请精简后再提交")
    return value


def _category(code: str, checked: _Checked) -> Category | None:
    code = (code or "").strip()
    if not code:
        return None
    category = category_by_code(code)
    if category is None:
        checked.add("category", "所选类别不存在，请从列表中重新选择，或不选")
    return category


def _point(lat, lng, checked: _Checked) -> tuple[Area | None, float | None, float | None]:
    """The grid containing the map point (both coordinates given), else (None, None, None)."""
    given = [str(v).strip() for v in (lat, lng) if v is not None and str(v).strip()]
    if not given:
        return None, None, None
    if len(given) != 2:
        checked.add("location", "地图位置不完整，请在地图上重新点选")
        return None, None, None
    try:
        lat_f, lng_f = check_coordinates(str(lat).strip(), str(lng).strip())
        return grid_locate(lat_f, lng_f), lat_f, lng_f
    except PointOutsideGrids:
        checked.add("location", "您在地图上选的位置不在本区任何网格内，请在地图上有边框的网格范围内重新点选，"
                                "或改为搜索楼栋、填写地址")
    except GridLocateError as exc:
        checked.add("location", f"地图位置有误：{exc}")
    return None, None, None


def _photo_point(photos: Sequence[CheckedPhoto]) -> tuple[Area | None, float | None, float | None]:
    """The first photo location that lies in a grid (a photo taken elsewhere is simply not used)."""
    for photo in photos:
        if not photo.has_location:
            continue
        try:
            return grid_locate(photo.exif_lat, photo.exif_lng), photo.exif_lat, photo.exif_lng
        except GridLocateError:
            continue
    return None, None, None


def _urgency(emergency: bool, category: Category | None) -> str:
    if emergency:
        return Urgency.EMERGENCY
    return category_urgency(category) or Urgency.GENERAL


def report_submit(
    *, description: str, actor, district: Area, channel: str = Channel.RESIDENT_WEB, title: str = "",
    lat=None, lng=None, building_code: str = "", address: str = "", category_code: str = "",
    emergency: bool = False, anonymous: bool = False, contact_name: str = "", contact_phone: str = "",
    photos: Sequence = (), intake_key: str = "", tier: str = "",
) -> ReportResult:
    """Check a report and write its case and photos atomically; see the module docstring.

    The place, in order of preference: the building chosen, the point tapped on the map, the first
    photo's EXIF location that lies in a grid (only when neither was given), else the address typed
    (the case is then placed at the district only). Raises ValidationError({field: [messages]}),
    or PermissionDenied (``case_receive``: a patrol or walk-in entry outside the staff's scope).
    """
    checked = _Checked()
    description = _text(description, key="description", label="问题描述", maximum=DESCRIPTION_MAX,
                        checked=checked, required=True)
    title = _text(title, key="title", label="标题", maximum=TITLE_MAX, checked=checked)
    address = _text(address, key="address", label="地址", maximum=ADDRESS_MAX, checked=checked)
    contact_name = _text(contact_name, key="contact_name", label="联系人姓名", maximum=CONTACT_NAME_MAX,
                         checked=checked)
    contact_phone = (contact_phone or "").strip()
    if contact_phone and (problem := crypto.phone_problem(contact_phone)):
        checked.add("contact_phone", f"联系电话“{contact_phone[:20]}”有误：{problem}")
    category = _category(category_code, checked)

    area, lat_f, lng_f, place_from = None, None, None, ""
    if (building_code or "").strip():
        area = building_in(district, building_code)
        if area is None:
            checked.add("building", "所选楼栋不存在，请重新搜索选择")
        else:
            place_from, lat_f, lng_f = Place.BUILDING, area.lat, area.lng
    else:
        area, lat_f, lng_f = _point(lat, lng, checked)
        place_from = Place.MAP if area is not None else ""

    try:
        checked_photos = photos_check(photos)
    except ValidationError as exc:
        checked_photos = []
        for message in exc.message_dict.get("photos", exc.messages):
            checked.add("photos", message)

    if area is None and "location" not in checked.errors and "building" not in checked.errors:
        area, lat_f, lng_f = _photo_point(checked_photos)
        if area is not None:
            place_from = Place.PHOTO
        elif address:
            place_from = Place.ADDRESS
        else:
            checked.add("location", "请告诉我们问题在哪里：在地图上点选位置、搜索选择楼栋，或填写地址")
    if checked.errors:
        raise ValidationError(checked.errors)

    stored: list[CaseAttachment] = []

    def add_photos(case: Case) -> None:
        # In the case's own transaction (``also=``): the photos commit with the case or not at all.
        attachments_discard(stored[:])  # a second attempt (a case number drawn twice) starts afresh
        stored[:] = attachments_add(case=case, files=checked_photos, actor=actor, stage="report")

    try:
        case, created = case_receive(
            title=title or title_from(description), body=description, channel=channel, actor=actor,
            area=area, lat=lat_f if area is not None else None, lng=lng_f if area is not None else None,
            district_code=district.code, address=address, category=category,
            urgency=_urgency(emergency, category), tier=tier,
            reporter=_person_of(actor) if channel == Channel.RESIDENT_WEB else None,
            anonymous=anonymous, contact_name=contact_name, contact_phone=contact_phone,
            intake_key=stored_intake_key(intake_key), also=add_photos if checked_photos else None,
        )
    except BaseException:
        attachments_discard(stored)  # only when the commit itself failed after the files were written
        raise
    return ReportResult(case=case, created=created, place_from=place_from, attachments=stored)


def _person_of(actor):
    if not getattr(actor, "is_authenticated", False):
        return None
    try:
        return actor.person
    except ObjectDoesNotExist:  # no Person linked to this account
        return None
