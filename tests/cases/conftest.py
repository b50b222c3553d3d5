import pytest

from grassroots.cases.models import Channel
from grassroots.cases.services import case_create


@pytest.fixture
def new_case(tree):
    """new_case(grid="A", **overrides) → a fresh reported case placed in that grid."""

    def make(grid: str = "A", **kwargs):
        values = {"title": "楼道灯不亮", "body": "3栋2单元楼道灯坏了一周，晚上看不清。",
                  "channel": Channel.RESIDENT_WEB, "area": tree.grid(grid)}
        values.update(kwargs)
        return case_create(**values)

    return make
