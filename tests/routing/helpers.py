"""A small, fast model for the Django-side tests (the real classifier trains in ~0.1 s on these)."""

from django.utils import timezone

from grassroots.cases.models import Category
from grassroots.core.memo import forget
from grassroots.routing.learn import Sample, TextClassifier
from grassroots.routing.models import RoutingModel, StreetSettings
from grassroots.routing.units import Outcome, UnitRouter

TEXTS = {
    "城乡建设": ["楼道灯坏了不亮", "小区路灯不亮晚上很黑", "井盖丢失有安全隐患", "楼道堆放杂物堵塞通道",
             "小区电梯经常故障", "楼顶漏水无人维修"],
    "环境保护": ["工厂排放废气刺鼻", "河道污染发臭", "夜间施工噪音扰民", "垃圾焚烧烟雾很大", "污水直排河里",
             "化工厂气味难闻"],
    "交通运输": ["公交车不按站停靠", "出租车拒载乘客", "路口红绿灯坏了交通拥堵", "公交线路调整不方便",
             "道路坑洼车辆颠簸", "驾校考试预约难"],
}


def level1(name: str) -> Category:
    return Category.objects.get(name=name, level=1)


def install_model(*, outcomes=(), version: str = "test-1") -> TextClassifier:
    """Train the small classifier (+ a unit router over ``outcomes``: (category name, place code,
    unit, weight)) and make both the active models."""
    samples = [Sample(t, "", label) for label, texts in TEXTS.items() for t in texts]
    model = TextClassifier.train(samples, version=version, evaluation={"accuracy": 1.0})
    units = {}
    rows = []
    for name, place, unit, weight in outcomes:
        units[unit.pk] = {"name": unit.name, "area": unit.area.code, "district": unit.district_code}
        rows.append(Outcome(level1(name).code, place, unit.pk, weight))
    router = UnitRouter.build(rows, units=units)
    RoutingModel.objects.filter(active=True).update(active=False)
    now = timezone.now()
    RoutingModel.objects.create(kind="category", version=version, trained_at=now, train_size=len(samples),
                                source="history", labels=model.labels, evaluation={"accuracy": 1.0},
                                blob=model.dumps(), active=True)
    RoutingModel.objects.create(kind="unit", version=version, trained_at=now, train_size=len(rows),
                                source="history", blob=router.dumps(), active=True)
    forget()
    return model


def street_policy(street, *, threshold: float, policy: str = StreetSettings.Policy.UNCATEGORISED):
    row, _ = StreetSettings.objects.update_or_create(street=street, defaults={
        "policy": policy, "default_threshold": threshold, "district_code": street.code[:6]})
    forget()
    return row
