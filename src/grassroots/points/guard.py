"""The fraud guard (防刷): before a quick report's points are paid, look for the same photo sent
again (a perceptual hash: a re-saved, resized or slightly cropped copy still matches), many reports
from one spot, or many from one account in a short time. Any of them holds the points for the grid
worker, who pays or refuses them.

Only recent awards of the same community are compared (a window of ``PHOTO_DAYS`` days for photos,
the policy's minutes for spots and accounts), so the check costs the same in a platform's tenth
year as in its first.
"""

from __future__ import annotations

import math
from datetime import timedelta

import imagehash
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from .models import Award, Event, Policy

PHOTO_DAYS = 90
SAME_PHOTO_BITS = 6  # Hamming distance between two 64-bit pHashes that counts as the same photo


def photo_hash(file) -> str:
    """The 64-bit perceptual hash of an image file as 16 hex digits ("" when it is not an image)."""
    if not file:
        return ""
    try:
        file.open("rb")
        try:
            with Image.open(file) as image:
                image.draft("L", (128, 128))  # a JPEG decodes at 1/2–1/8 size: the hash needs 32×32
                return str(imagehash.phash(image.convert("L")))
        finally:
            file.close()
    except (OSError, UnidentifiedImageError, ValueError):
        return ""


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lng2 - lng1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def reasons(*, policy: Policy, user, community, occurred_at, photo_hash: str, lat, lng) -> list[str]:
    """Why these points should wait for a person (an empty list: pay them)."""
    found: list[str] = []
    recent = Award.objects.filter(community=community, event=Event.WOODPECKER_REPORT)
    window = occurred_at - timedelta(minutes=policy.guard_minutes)
    if policy.guard_per_account:
        mine = recent.filter(user=user, occurred_at__gte=window, occurred_at__lte=occurred_at).count()
        if mine >= policy.guard_per_account:
            found.append(f"同一账号{policy.guard_minutes}分钟内已有{mine}条随手拍获得积分")
    if policy.guard_per_spot and lat is not None and lng is not None:
        box = policy.guard_spot_meters / 111_320
        near = recent.filter(occurred_at__gte=window, occurred_at__lte=occurred_at, lat__range=(lat - box, lat + box),
                             lng__range=(lng - 2 * box, lng + 2 * box)).values_list("lat", "lng")[:200]
        spot = sum(1 for a, b in near if _metres(lat, lng, a, b) <= policy.guard_spot_meters)
        if spot >= policy.guard_per_spot:
            found.append(f"同一地点（{policy.guard_spot_meters}米内）{policy.guard_minutes}分钟内已有{spot}条随手拍")
    if photo_hash:
        since = occurred_at - timedelta(days=PHOTO_DAYS)
        for other, when in (recent.filter(occurred_at__gte=since).exclude(photo_hash="")
                            .values_list("photo_hash", "occurred_at").order_by("-occurred_at")[:5000]):
            if _distance(photo_hash, other) <= SAME_PHOTO_BITS:
                found.append(f"照片与{timezone.localtime(when):%m月%d日}的一条随手拍相同")
                break
    return found
