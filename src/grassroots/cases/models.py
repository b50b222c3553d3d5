"""Case categories (the taxonomy) and the Case itself.

The category tree is seeded from the real three-level taxonomy shipped in ``cases/data/``.
The case lifecycle (services, transitions, events) is built on top of ``Case.Status``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    code = models.CharField(_("编码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("级别"))
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = _("事项类别")
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
        REPORTED = "reported", _("已上报")
        ACCEPTED = "accepted", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        IN_PROGRESS = "in_progress", _("办理中")
        REPLIED = "replied", _("已答复")
        VERIFIED = "verified", _("已核实")
        CLOSED = "closed", _("已办结")
        RETURNED = "returned", _("已退单")
        EXTENDED = "extended", _("已延期")
        PARKED = "parked", _("挂账")
        ESCALATED = "escalated", _("已上提")
        WHISTLED = "whistled", _("吹哨中")
        REOPENED = "reopened", _("已重办")
        REJECTED = "rejected", _("不予受理")
        MERGED = "merged", _("已合并")

    code = models.CharField(_("编号"), max_length=24, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=5000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REPORTED,
                              db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在网格/区域"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases")
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("诉求")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
