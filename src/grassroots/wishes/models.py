"""微心愿 (micro-wishes): the community publishes the small wish of a person in need — a radio, help
with the shopping, a school bag — without saying who they are; a Party member or a volunteer claims
it, fulfils it with a photo as proof, and the community confirms. The public sees the wish, the
community and the state, never the name, phone or address (those stay in ``private_*``, encrypted,
for the community's staff)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Wish(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("待认领")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已完成，待确认")
        CONFIRMED = "confirmed", _("已实现")
        CANCELLED = "cancelled", _("已撤下")

    class Kind(models.TextChoices):
        GOODS = "goods", _("生活物品")
        STUDY = "study", _("学习用品")
        CARE = "care", _("助老助残")
        SERVICE = "service", _("上门服务")
        OTHER = "other", _("其他")

    community = models.ForeignKey("areas.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="wishes")
    title = models.CharField(_("心愿"), max_length=60)
    story = models.CharField(_("心愿说明"), max_length=300, help_text=_("公开显示：不要写姓名、电话、住址"))
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.GOODS)
    private_name = models.CharField(_("心愿人（不公开）"), max_length=50)
    private_contact_enc = models.TextField(_("联系方式与住址（密文，不公开）"), blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认领人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="claimed_wishes")
    claimer_label = models.CharField(_("认领人（公开）"), max_length=40, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fulfil_note = models.CharField(_("完成说明"), max_length=300, blank=True)
    proof = models.FileField(_("完成照片"), upload_to="wishes/%Y/%m/", blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("微心愿")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["community", "status", "-published_at"], name="wish_wall")]

    def __str__(self) -> str:
        return self.title
