import pytest

from grassroots.cases.models import Channel
from grassroots.cases.services import case_create

LAMP = "阳光小区3栋2单元楼道灯坏了一周，晚上看不清，老人上下楼很危险，请尽快维修。"
LAMP_AGAIN = "您好！阳光小区3栋2单元的楼道灯已经坏了好多天了，晚上看不清楼梯，老人上下楼危险，麻烦尽快修一下。"
TRASH = "阳光小区3栋门口的垃圾桶满了好几天没人清运，气味很大，影响居民生活。"


@pytest.fixture
def report(tree):
    """report(text, lat, lng, **kw) → a resident's case at that point (the intake steps run)."""

    def make(body: str, lat: float = 32.605, lng: float = 110.705, **kwargs):
        values = {"title": body[:20], "body": body, "channel": Channel.RESIDENT_WEB, "lat": lat, "lng": lng,
                  "contact_phone": "13900001111"}
        values.update(kwargs)
        return case_create(**values)

    return make
