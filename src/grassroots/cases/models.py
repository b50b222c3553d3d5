"""Case categories (the taxonomy) and the Case itself.

The category tree is seeded from the real three-level taxonomy shipped in ``cases/data/``.
The case lifecycle (services, transitions, events) is built on top of ``Case.Status``.
"""

from django.db import models


class Category(models.Model):
    code = models.CharField("编码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("级别")
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "事项类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def path_names(self) -> list[str]:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]


class Case(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", "已上报"
        ACCEPTED = "accepted", "已受理"
        DISPATCHED = "dispatched", "已派单"
        IN_PROGRESS = "in_progress", "办理中"
        REPLIED = "replied", "已答复"
        VERIFIED = "verified", "已核实"
        CLOSED = "closed", "已办结"
        RETURNED = "returned", "已退单"
        EXTENDED = "extended", "已延期"
        PARKED = "parked", "挂账"
        ESCALATED = "escalated", "已上提"
        WHISTLED = "whistled", "吹哨中"
        REOPENED = "reopened", "已重办"
        REJECTED = "rejected", "不予受理"
        MERGED = "merged", "已合并"

    code = models.CharField("编号", max_length=24, unique=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", max_length=5000)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REPORTED,
                              db_index=True)
    category = models.ForeignKey(Category, verbose_name="类别", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    area = models.ForeignKey("areas.Area", verbose_name="所在网格/区域", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases")
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    district_code = models.CharField("区县代码", max_length=6, db_index=True)
    created_at = models.DateTimeField("上报时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
