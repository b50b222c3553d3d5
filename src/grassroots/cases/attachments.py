"""Photos attached to a case: checked by decoding them, stored as a re-encoded copy without metadata.

A phone writes EXIF into every photo: where it was taken (often the resident's home), when, and the
phone's make and serial number. ``photo_check`` reads the position and the time (they help place a
case) and produces a copy re-encoded by Pillow that carries none of it: no EXIF, no XMP, no ICC
profile, no PNG text chunks. Only that copy is ever stored, under the random name of
``models.attachment_path``; the uploader's file name is kept in the database for the staff only.

The type is what Pillow decodes (JPEG, PNG or WebP), never the file's extension or the content type
the browser sent. The size limit per photo is ``settings.GRASSROOTS_PHOTO_MAX_BYTES`` (10 MB by
default), the count limit ``MAX_PHOTOS`` per case and stage.

Two steps, so that a case and its photos are one all-or-nothing write: ``photos_check`` validates
(and re-encodes) everything before anything is written; ``attachments_add`` stores checked photos
inside the caller's transaction and removes the files it wrote if the transaction fails.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from grassroots.core.services import audit_record

from .models import Case, CaseAttachment

log = logging.getLogger(__name__)

MAX_PHOTOS = 6
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # decoding more than this (a 60-megapixel photo) is refused: decompression bombs
MAX_SIDE = 4096  # the stored copy is scaled down to at most this many pixels wide and high
THUMB_SIDE = 480
STAGES = ("report", "reply")
# Pillow format → (content type, extension of the stored copy)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
_ENCODER_OPTIONS = {"JPEG": {"quality": 88, "optimize": True}, "PNG": {"optimize": False},
                    "WEBP": {"quality": 85, "method": 4}}

_TAG_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
_TAG_DATETIME_DIGITIZED = ExifTags.Base.DateTimeDigitized
_TAG_OFFSET_TIME_ORIGINAL = ExifTags.Base.OffsetTimeOriginal


def max_photo_bytes() -> int:
    return int(getattr(settings, "GRASSROOTS_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(n // 1024, 1)} KB"
    mb = round(n / (1024 * 1024), 0 if n >= 10 * 1024 * 1024 else 1)
    return f"{mb:g} MB"


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed ``photo_check``: the clean copy to store and what was read from it."""

    original_name: str
    content: bytes  # re-encoded, without any metadata
    thumbnail: bytes  # JPEG, at most THUMB_SIDE pixels
    content_type: str
    ext: str
    width: int
    height: int
    sha256: str  # of ``content``, the bytes stored
    exif_lat: float | None = None
    exif_lng: float | None = None
    taken_at: datetime | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def has_location(self) -> bool:
        return self.exif_lat is not None and self.exif_lng is not None


# --- reading EXIF ------------------------------------------------------------------------------------


def _ratio(value) -> float:
    number = float(value)  # IFDRational with a zero denominator is nan
    if not math.isfinite(number) or number < 0:
        raise ValueError(value)
    return number


def _dms(value) -> float | None:
    """Degrees from EXIF's (degrees, minutes, seconds); None when it is not a sane value."""
    try:
        parts = [_ratio(v) for v in (value if isinstance(value, tuple | list) else (value,))]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not 1 <= len(parts) <= 3:
        return None
    degrees, minutes, seconds = (parts + [0.0, 0.0])[:3]
    if minutes >= 60 or seconds >= 60:
        return None
    return degrees + minutes / 60 + seconds / 3600


def _ref(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return str(value or "").strip("\x00 ").upper()[:1]


def exif_location(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lat, lng) in decimal degrees from the GPS IFD, the hemisphere refs applied; (None, None)
    when absent or not plausible (out of range, zero denominators, or exactly 0,0)."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, ValueError, TypeError, OSError):
        return None, None
    if not gps:
        return None, None
    lat, lng = _dms(gps.get(ExifTags.GPS.GPSLatitude)), _dms(gps.get(ExifTags.GPS.GPSLongitude))
    lat_ref, lng_ref = _ref(gps.get(ExifTags.GPS.GPSLatitudeRef, "N")), _ref(gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    if lat is None or lng is None or lat_ref not in ("N", "S") or lng_ref not in ("E", "W"):
        return None, None
    lat, lng = (-lat if lat_ref == "S" else lat), (-lng if lng_ref == "W" else lng)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None, None
    return round(lat, 7), round(lng, 7)


def exif_taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal (else DateTimeDigitized) as an aware datetime; local time when no offset."""
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, ValueError, TypeError, OSError):
        return None
    raw = sub.get(_TAG_DATETIME_ORIGINAL) or sub.get(_TAG_DATETIME_DIGITIZED)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(_TAG_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip()) == 6:
        try:
            return datetime.strptime(naive.isoformat() + offset.strip(), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            pass
    return timezone.make_aware(naive, timezone.get_default_timezone())


# --- checking and re-encoding -------------------------------------------------------------------------


def _clean_copy(img: Image.Image, fmt: str) -> Image.Image:
    """Upright (EXIF orientation applied), at most MAX_SIDE, in a mode the format stores, no metadata."""
    img = ImageOps.exif_transpose(img) or img
    if fmt == "JPEG":
        img = img.convert("RGB") if img.mode not in ("RGB", "L") else img
    elif img.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in img.mode or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
    if max(img.size) > MAX_SIDE:
        img = img.copy()
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    img.info = {}  # EXIF, XMP, ICC profile, PNG text, comments: none of it reaches the stored copy
    return img


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **_ENCODER_OPTIONS[fmt])
    return out.getvalue()


def _thumbnail(img: Image.Image) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, "white")
        rgba = thumb.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        thumb = background
    thumb.info = {}
    return _encode(thumb, "JPEG")


def _read(upload, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def display_name(upload) -> str:
    """The uploader's file name without any folder (browsers on some systems send a full path)."""
    name = str(getattr(upload, "name", "") or "")
    return PurePath(name.replace("\\", "/")).name[:200] or "照片"


def photo_check(upload, *, max_bytes: int | None = None) -> CheckedPhoto:
    """Decode one uploaded file and return its clean copy, or ValidationError naming the file."""
    name = display_name(upload)
    limit = max_photo_bytes() if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    data = _read(upload, limit) if size is None or size <= limit else b""
    size = len(data) if size is None or size <= limit else size
    if size > limit or len(data) > limit:
        raise ValidationError(f"照片“{name}”有 {_megabytes(max(size, len(data)))}，超过每张 "
                              f"{_megabytes(limit)} 的上限，请压缩后或换一张再上传")
    if not data:
        raise ValidationError(f"文件“{name}”是空的，请重新选择照片")
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(f"照片“{name}”的像素太多（{width}×{height}），请缩小后再上传")
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            img.load()
            exif = img.getexif()
            lat, lng = exif_location(exif)
            taken_at = exif_taken_at(exif)
            clean = _clean_copy(img, fmt)
            content, thumbnail = _encode(clean, fmt), _thumbnail(clean)
    except UnidentifiedImageError:
        raise ValidationError(f"文件“{name}”不是 JPEG、PNG 或 WebP 格式的照片，请从相册重新选择"
                              "（改文件扩展名不能改变格式）") from None
    except Image.DecompressionBombError:
        raise ValidationError(f"照片“{name}”的像素太多，请缩小后再上传") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
        raise ValidationError(f"照片“{name}”已损坏或不完整，无法打开，请重新拍摄或选择") from None
    content_type, ext = FORMATS[fmt]
    return CheckedPhoto(
        original_name=name, content=content, thumbnail=thumbnail, content_type=content_type, ext=ext,
        width=clean.width, height=clean.height, sha256=hashlib.sha256(content).hexdigest(),
        exif_lat=lat, exif_lng=lng, taken_at=taken_at,
    )


def _count_problem(count: int, already: int) -> str:
    room = MAX_PHOTOS - already
    if already and count > room:
        return (f"该诉求已有 {already} 张照片，最多还能上传 {max(room, 0)} 张"
                f"（您选了 {count} 张）")
    return f"最多上传 {MAX_PHOTOS} 张照片（您选了 {count} 张），请删去 {count - MAX_PHOTOS} 张"


def photos_check(files: Iterable, *, already: int = 0) -> list[CheckedPhoto]:
    """Check every file (up to MAX_PHOTOS together with ``already``); ValidationError({"photos":
    [one message per bad file]}) when any fails, so the resident can fix them all at once."""
    files = [f for f in files if f is not None]
    if already + len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": [_count_problem(len(files), already)]})
    checked, problems = [], []
    for upload in files:
        if isinstance(upload, CheckedPhoto):
            checked.append(upload)
            continue
        try:
            checked.append(photo_check(upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError({"photos": problems})
    return checked


# --- storing -------------------------------------------------------------------------------------------


def thumbnail_name(name: str) -> str:
    """Where the thumbnail of the stored file ``name`` lives (next to it)."""
    stem = name.rsplit(".", 1)[0] if "." in PurePath(name).name else name
    return f"{stem}.thumb.jpg"


def _discard(names: Sequence[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - a file we could not remove is only an orphan
            log.warning("could not remove attachment file %s", name)


def attachments_discard(attachments: Iterable[CaseAttachment]) -> None:
    """Remove the stored files (and thumbnails) of attachments whose rows did not commit."""
    names = []
    for att in attachments:
        if att.file and att.file.name:
            names += [att.file.name, thumbnail_name(att.file.name)]
    _discard(names)


def attachments_add(*, case: Case, files: Iterable, actor, stage: str = "report") -> list[CaseAttachment]:
    """Store photos on ``case`` (uploaded files, or CheckedPhoto from ``photos_check``): all of them
    or none. Raises ValidationError({"photos": [...]}) for a bad file or too many photos.

    Call it inside the transaction that must hold together with it (the case's intake); the files
    written are removed again when this function fails. A caller whose own transaction fails after
    this returned calls ``attachments_discard`` on the result.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown attachment stage: {stage!r}")
    files = list(files)
    if not files:
        return []
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # count under the case's lock
        already = CaseAttachment.objects.filter(case=case, stage=stage).count()
        photos = photos_check(files, already=already)
        written: list[str] = []
        created: list[CaseAttachment] = []
        try:
            for photo in photos:
                att = CaseAttachment(
                    case=case, original_name=photo.original_name, content_type=photo.content_type,
                    size=photo.size, sha256=photo.sha256, width=photo.width, height=photo.height,
                    exif_lat=photo.exif_lat, exif_lng=photo.exif_lng, taken_at=photo.taken_at, stage=stage,
                    uploaded_by=actor if getattr(actor, "pk", None) else None, district_code=case.district_code,
                )
                att.file.save(f"photo.{photo.ext}", ContentFile(photo.content), save=False)
                written.append(att.file.name)
                written.append(default_storage.save(thumbnail_name(att.file.name), ContentFile(photo.thumbnail)))
                att.save(force_insert=True)
                created.append(att)
            audit_record(actor=actor, action="case.attachments_add", obj=case,
                         detail={"stage": stage, "attachments": [a.pk for a in created]})
        except BaseException:
            _discard(written)
            raise
    return created
