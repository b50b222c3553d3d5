"""cases/attachments.py: photos are checked by decoding them, their EXIF location and time are read,
and only a re-encoded copy without any metadata is stored."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from grassroots.cases.attachments import (
    MAX_PHOTOS,
    attachments_add,
    photo_check,
    photos_check,
    thumbnail_name,
)
from grassroots.cases.models import CaseAttachment
from grassroots.core.models import AuditEntry
from tests.portal.conftest import IN_GRID_B, photo_bytes, rational, upload


def messages_of(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


def test_jpeg_gps_with_hemisphere_refs_and_time_are_read():
    photo = photo_check(upload(gps=IN_GRID_B, taken="2026:03:01 09:30:15"))
    assert photo.exif_lat == pytest.approx(32.605, abs=1e-6)
    assert photo.exif_lng == pytest.approx(110.715, abs=1e-6)
    assert photo.taken_at.isoformat() == "2026-03-01T09:30:15+08:00"  # local time: no offset written
    assert photo.content_type == "image/jpeg" and photo.ext == "jpg" and (photo.width, photo.height) == (64, 48)

    south_west = photo_check(upload(gps=(-33.8688, -70.6693)))
    assert south_west.exif_lat == pytest.approx(-33.8688, abs=1e-5)
    assert south_west.exif_lng == pytest.approx(-70.6693, abs=1e-5)


@pytest.mark.parametrize("gps_raw", [
    {1: "N", 2: (rational(32, 1), rational(1, 0), rational(0, 1)), 3: "E", 4: (110.0, 42.0, 36.0)},  # x/0
    {1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (110.0, 0.0, 0.0)},  # latitude beyond 90
    {1: "N", 2: (32.0, 75.0, 0.0), 3: "E", 4: (110.0, 0.0, 0.0)},  # 75 minutes
    {1: "Q", 2: (32.0, 0.0, 0.0), 3: "E", 4: (110.0, 0.0, 0.0)},  # no such hemisphere
    {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # 0,0: a phone without a fix
    {1: "N", 3: "E", 4: (110.0, 0.0, 0.0)},  # latitude missing
])
def test_bad_gps_is_ignored_not_fatal(gps_raw):
    photo = photo_check(upload(gps_raw=gps_raw))
    assert photo.exif_lat is None and photo.exif_lng is None
    assert photo.size > 0


def test_bad_time_is_ignored():
    assert photo_check(upload(taken="not a time")).taken_at is None


@pytest.mark.parametrize("fmt, ctype, ext", [("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")])
def test_png_and_webp_are_accepted_with_their_exif(fmt, ctype, ext):
    photo = photo_check(upload(f"x.{ext}", photo_bytes(fmt, gps=IN_GRID_B)))
    assert (photo.content_type, photo.ext) == (ctype, ext)
    assert photo.exif_lat == pytest.approx(32.605, abs=1e-6)
    assert not Image.open(io.BytesIO(photo.content)).getexif()


def test_stored_copy_has_no_metadata_and_is_upright():
    data = photo_bytes(size=(80, 40), gps=IN_GRID_B, taken="2026:03:01 09:30:00", orientation=6)
    assert b"TestPhone" in data and b"SN-123456789" in data
    photo = photo_check(upload(data=data))
    clean = Image.open(io.BytesIO(photo.content))
    assert not clean.getexif() and "exif" not in clean.info and "icc_profile" not in clean.info
    assert b"TestPhone" not in photo.content and b"SN-123456789" not in photo.content
    assert b"Exif" not in photo.content
    assert clean.size == (40, 80)  # orientation 6 (rotate 90°) applied before the tag was dropped
    assert (photo.width, photo.height) == (40, 80)
    thumb = Image.open(io.BytesIO(photo.thumbnail))
    assert thumb.format == "JPEG" and not thumb.getexif()


def test_wrong_type_renamed_jpg_is_refused_by_content():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    for name, data in [("cat.jpg", gif.getvalue()), ("notes.jpg", b"%PDF-1.4 not a photo"),
                       ("run.jpg", b"MZ\x90\x00" + b"\x00" * 200)]:
        with pytest.raises(ValidationError) as exc:
            photo_check(upload(name, data, content_type="image/jpeg"))
        assert messages_of(exc) == [f"文件“{name}”不是 JPEG、PNG 或 WebP 格式的照片，请从相册重新选择"
                                    "（改文件扩展名不能改变格式）"]


def test_a_real_photo_with_a_wrong_extension_is_fine():
    photo = photo_check(upload("photo.gif", photo_bytes("PNG"), content_type="application/octet-stream"))
    assert photo.content_type == "image/png"


def test_corrupt_and_empty_files_are_refused():
    truncated = photo_bytes(size=(300, 300))[:400]
    with pytest.raises(ValidationError) as exc:
        photo_check(upload("broken.jpg", truncated))
    assert messages_of(exc) == ["照片“broken.jpg”已损坏或不完整，无法打开，请重新拍摄或选择"]
    with pytest.raises(ValidationError) as exc:
        photo_check(upload("empty.jpg", b""))
    assert "是空的" in messages_of(exc)[0]


def test_oversized_photo_names_the_file_and_the_limit(settings):
    settings.GRASSROOTS_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    big = upload("IMG_big.jpg", b"\xff\xd8" + b"0" * (3 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        photo_check(big)
    assert messages_of(exc) == ["照片“IMG_big.jpg”有 3 MB，超过每张 2 MB 的上限，请压缩后或换一张再上传"]


def test_default_limit_is_ten_megabytes():
    eleven = upload("huge.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        photo_check(eleven)
    assert "超过每张 10 MB 的上限" in messages_of(exc)[0]


def test_folder_in_the_uploaded_name_is_dropped():
    assert photo_check(upload("C:\\Users\\张三\\Pictures\\IMG_1.jpg")).original_name == "IMG_1.jpg"


def test_seven_photos_are_refused_and_every_bad_file_is_named():
    with pytest.raises(ValidationError) as exc:
        photos_check([upload(f"p{i}.jpg") for i in range(7)])
    assert exc.value.message_dict == {"photos": ["最多上传 6 张照片（您选了 7 张），请删去 1 张"]}

    with pytest.raises(ValidationError) as exc:
        photos_check([upload("good.jpg"), upload("a.jpg", b"junk"), upload("b.jpg", b"also junk")])
    assert [m[:9] for m in exc.value.message_dict["photos"]] == ["文件“a.jpg”", "文件“b.jpg”"]
    assert len(photos_check([upload(f"p{i}.jpg") for i in range(MAX_PHOTOS)])) == MAX_PHOTOS


@pytest.mark.django_db
def test_attachments_add_stores_clean_copies_under_random_names(tree, new_case, stored_files):
    case = new_case()
    atts = attachments_add(case=case, files=[upload("张三家门口.jpg", gps=IN_GRID_B, taken="2026:03:01 09:30:00"),
                                             upload("b.png", photo_bytes("PNG"))],
                           actor=tree.user("grid_worker_A"))
    assert [a.original_name for a in atts] == ["张三家门口.jpg", "b.png"]
    first = CaseAttachment.objects.get(pk=atts[0].pk)
    assert first.file.name.startswith(f"cases/{case.district_code}/") and "张三" not in first.file.name
    assert first.file.name.endswith(".jpg") and atts[1].file.name.endswith(".png")
    assert first.exif_lat == pytest.approx(32.605, abs=1e-6) and first.taken_at is not None
    assert first.uploaded_by == tree.user("grid_worker_A") and first.stage == "report"
    with first.file.open("rb") as fh:
        data = fh.read()
    assert len(data) == first.size and not Image.open(io.BytesIO(data)).getexif()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == first.sha256
    assert default_storage.exists(thumbnail_name(first.file.name))
    assert len(stored_files()) == 4  # two photos, two thumbnails
    assert AuditEntry.objects.filter(action="case.attachments_add", object_id=str(case.pk)).count() == 1


@pytest.mark.django_db
def test_attachments_add_is_all_or_nothing(tree, new_case, stored_files):
    case = new_case()
    with pytest.raises(ValidationError):
        attachments_add(case=case, files=[upload("ok.jpg"), upload("bad.jpg", b"junk")], actor=None)
    assert not CaseAttachment.objects.exists() and stored_files() == []

    attachments_add(case=case, files=[upload(f"p{i}.jpg") for i in range(4)], actor=None)
    with pytest.raises(ValidationError) as exc:
        attachments_add(case=case, files=[upload(f"q{i}.jpg") for i in range(3)], actor=None)
    assert exc.value.message_dict["photos"] == ["该诉求已有 4 张照片，最多还能上传 2 张（您选了 3 张）"]
    assert case.attachments.count() == 4
    # the handler's photos with the reply have their own six
    attachments_add(case=case, files=[upload("after.jpg")], actor=tree.user("grid_worker_A"), stage="reply")
    assert case.attachments.filter(stage="reply").count() == 1


def test_exif_helpers_tolerate_missing_ifds():
    from grassroots.cases.attachments import exif_location, exif_taken_at

    empty = Image.Exif()
    assert exif_location(empty) == (None, None) and exif_taken_at(empty) is None
    assert ExifTags.IFD.GPSInfo == 34853
