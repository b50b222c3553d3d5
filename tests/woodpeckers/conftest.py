"""A woodpecker of community 1 (grids A and B) and a photo taken in grid A."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.woodpeckers.services import woodpecker_apply, woodpecker_decide
from tests.factories import make_user
from tests.portal.conftest import photo_bytes

IN_GRID_A = (32.605, 110.705)
IN_GRID_B = (32.605, 110.715)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "IMG_1.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


@pytest.fixture
def rider(tree):
    """An approved woodpecker (a delivery rider) of community 1."""
    user = make_user("rider")
    row = woodpecker_apply(user=user, name="张骑手", community=tree.communities[0], group="rider",
                           duties=["patroller", "monitor"], platform="美团外卖")
    woodpecker_decide(woodpecker=row, actor=tree.user("community_worker_1"), approve=True)
    return user
