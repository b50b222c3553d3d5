"""Fixtures for the resident side: photos built with Pillow (EXIF included), a media folder per test,
and a case walked through to ``verified`` so that the rating form shows."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from grassroots.accounts.models import Role
from grassroots.cases import services as svc
from grassroots.cases.models import Channel
from tests.factories import make_user

# Grid B of tests/factories.py is the square lng 110.71–110.72, lat 32.60–32.61.
IN_GRID_B = (32.605, 110.715)


def dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


def photo_bytes(fmt: str = "JPEG", *, size=(64, 48), colour="red", gps: tuple[float, float] | None = None,
                gps_raw: dict | None = None, taken: str | None = None, orientation: int | None = None,
                make: str | None = "TestPhone", mode: str = "RGB") -> bytes:
    """An image in ``fmt`` with the EXIF a phone writes (GPS with hemisphere refs, time, make)."""
    img = Image.new(mode, size, colour)
    exif = Image.Exif()
    if make:
        exif[ExifTags.Base.Make] = make
        exif[ExifTags.Base.BodySerialNumber] = "SN-123456789"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        lat, lng = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S", ExifTags.GPS.GPSLatitude: dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E" if lng >= 0 else "W", ExifTags.GPS.GPSLongitude: dms(lng),
        }
    if gps_raw is not None:
        exif[ExifTags.IFD.GPSInfo] = gps_raw
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    out = io.BytesIO()
    img.save(out, format=fmt, exif=exif)
    return out.getvalue()


def upload(name: str = "IMG_0001.jpg", data: bytes | None = None, content_type: str = "image/jpeg", **kwargs):
    return SimpleUploadedFile(name, data if data is not None else photo_bytes(**kwargs), content_type=content_type)


def rational(n: int, d: int) -> IFDRational:
    """An EXIF rational; Pillow writes a zero denominator as it comes (cameras do that too)."""
    return IFDRational(n, d)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # (the tracking throttle's counters are in the shared cache's table: rolled back with each test)
    yield settings.MEDIA_ROOT
    cache.clear()


@pytest.fixture
def stored_files(media):
    def files() -> list[str]:
        return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
    return files


def _resident(username: str, household, display_name: str):
    user = make_user(username, Role.RESIDENT, area=household)
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def resident(tree):
    return _resident("resident_1", tree.households[0], "王小明")


@pytest.fixture
def other_resident(tree):
    return _resident("resident_2", tree.households[5], "李四")


@pytest.fixture
def new_case(tree):
    """new_case(grid="A", **overrides) → a fresh reported case placed in that grid."""

    def make(grid: str = "A", **kwargs):
        values = {"title": "楼道灯不亮", "body": "3栋2单元楼道灯坏了一周，晚上看不清。",
                  "channel": Channel.RESIDENT_WEB, "area": tree.grid(grid)}
        return svc.case_create(**(values | kwargs))

    return make


@pytest.fixture
def verified_case(tree):
    """verified_case(**overrides) → a case in grid A taken through accept, dispatch, a return (internal),
    dispatch again, take, reply and verify."""

    def make(**kwargs):
        u = tree.user
        values = {"title": "楼道灯不亮", "body": "3栋2单元楼道灯坏了一周。", "channel": Channel.RESIDENT_WEB,
                  "area": tree.grid("A"), "contact_name": "王小明", "contact_phone": "13812345678"}
        case, _ = svc.case_receive(**(values | kwargs))
        svc.case_accept(case=case, actor=u("community_worker_1"), note="内部：请住建局处理")
        svc.case_dispatch(case=case, actor=u("community_worker_1"), to_unit=tree.units["property"],
                          note="内部：联系物业经理 13900000000")
        property_handler = make_user("property_handler", Role.DEPARTMENT_HANDLER, unit=tree.units["property"])
        svc.case_return(case=case, actor=property_handler, reason="内部：不归我们管，退回")
        svc.case_dispatch(case=case, actor=u("community_worker_1"), to_unit=tree.units["dept"])
        svc.case_take(case=case, actor=u("dept_handler"))
        svc.case_reply(case=case, actor=u("dept_handler"), reply="已更换灯泡并检查线路，现已恢复照明。")
        svc.case_verify(case=case, actor=u("grid_worker_A"))
        case.refresh_from_db()
        return case

    return make
