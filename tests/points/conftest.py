"""A woodpecker of community 1, distinct photos (a perceptual hash sees a plain colour as one photo),
a property company with a fee voucher, and a helper that files and confirms a quick report."""

from __future__ import annotations

import io
import random
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.points.services import merchant_save, offer_save
from grassroots.woodpeckers.models import QuickReport
from grassroots.woodpeckers.services import quick_report_judge, quick_report_submit
from tests.woodpeckers.conftest import IN_GRID_A, _media, rider  # noqa: F401 — fixtures

__all__ = ["IN_GRID_A", "_media", "rider"]


def scene(seed: int) -> SimpleUploadedFile:
    """A photo of its own: blocks of random grey, different for every seed."""
    rng = random.Random(seed)
    image = Image.new("L", (8, 8))
    image.putdata([rng.randrange(256) for _ in range(64)])
    out = io.BytesIO()
    image.resize((128, 96), Image.NEAREST).convert("RGB").save(out, format="JPEG", quality=90)
    return SimpleUploadedFile(f"IMG_{seed}.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def confirmed(tree, django_capture_on_commit_callbacks):
    """confirmed(user, seed, at=…) → a quick report filed and judged valid by grid worker A."""

    def make(user, seed: int, *, at=None, photo=None) -> QuickReport:
        at = at or (32.6005 + 0.001 * (seed % 9), 110.705)  # a spot of its own in grid A
        done = quick_report_submit(reporter=user, key=str(uuid.UUID(int=seed * 1000 + user.pk)), category="fire", lat=at[0], lng=at[1],
                                   photo=photo or scene(seed))
        report = done.report
        with django_capture_on_commit_callbacks(execute=True):
            quick_report_judge(report=report, actor=tree.user("grid_worker_A"), valid=True)
        return report

    return make


@pytest.fixture
def property_co(tree):
    from tests.factories import make_user

    handler = make_user("wuye_handler")
    merchant = merchant_save(community=tree.communities[0], actor=tree.user("community_worker_1"), name="阳光物业",
                             kind="property", handlers="wuye_handler")
    voucher = offer_save(merchant=merchant, actor=handler, values={
        "kind": "fee_voucher", "title": "物业费抵扣券10元", "price": 10, "face_value": "10", "stock": 3,
        "per_person": 2, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "code_days": 7})
    return merchant, voucher, handler
