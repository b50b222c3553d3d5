"""People: one ``Person`` per real person, with the parts they play as separate rows.

A person may be a resident of a household, a Party member, grid staff and a volunteer at once; the
ID number's blind index makes sure an import finds the same person instead of creating a second.
ID numbers and phones are never stored in plain text: see ``core/crypto.py`` and ``services.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core import crypto
from grassroots.core.models import DistrictStamped
from grassroots.core.sensitive import get_sensitive, set_sensitive


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_enc = models.TextField(_("身份证号（密文）"), blank=True, default="", editable=False)
    id_number_index = models.CharField(_("身份证号（索引）"), max_length=64, blank=True, default="",
                                       db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=32, blank=True, default="", editable=False)
    phone_enc = models.TextField(_("手机号（密文）"), blank=True, default="", editable=False)
    phone_index = models.CharField(_("手机号（索引）"), max_length=64, blank=True, default="",
                                   db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=32, blank=True, default="", editable=False)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")

    class Meta:
        verbose_name = verbose_name_plural = _("人员")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~models.Q(id_number_index=""),
                name="person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        set_sensitive(self, "id_number", value, crypto.mask_id_number)
        value = crypto.normalize(value)
        if len(value) == 18 and not crypto.id_number_problem(value):
            import datetime

            self.birth_date = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
            self.gender = Gender.MALE if int(value[16]) % 2 else Gender.FEMALE

    def set_phone(self, value: str) -> None:
        set_sensitive(self, "phone", value, crypto.mask_phone)

    def plain(self, field: str) -> str:
        """The decrypted value. Only ``services.person_reveal`` (audited) should call this."""
        if field not in ("id_number", "phone"):
            raise ValueError(field)
        return get_sensitive(self, field)


class CareTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    LOW_INCOME = "low_income", _("低收入")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    OTHER = "other", _("其他")


class Resident(DistrictStamped):
    district_area = "household"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="residencies")
    household = models.ForeignKey("areas.Area", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="residents", limit_choices_to={"level": "household"})
    relation = models.CharField(_("与户主关系"), max_length=8, choices=Relation.choices, default=Relation.OTHER)
    care_tags = models.JSONField(_("关爱标签"), default=list, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)
    moved_in = models.DateField(_("入住日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("居民")
        ordering = ["household__code", "relation"]
        constraints = [
            models.UniqueConstraint(fields=["person", "household"], name="resident_once_per_household"),
        ]

    def __str__(self) -> str:
        return self.person.name

    def care_tag_labels(self) -> list[str]:
        """The labels of the care tags, in the active language."""
        return [str(CareTag(t).label) for t in self.care_tags if t in CareTag.values]


class PartyMember(models.Model):
    person = models.OneToOneField(Person, verbose_name=_("人员"), on_delete=models.CASCADE,
                                  related_name="party_member")
    org = models.ForeignKey("orgs.PartyOrg", verbose_name=_("组织关系所在党组织"), on_delete=models.PROTECT,
                            related_name="members")
    employer = models.ForeignKey("orgs.Unit", verbose_name=_("工作单位"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="party_members")
    in_service = models.BooleanField(_("在职党员"), default=False)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("党员")
        ordering = ["person__name"]

    def __str__(self) -> str:
        return self.person.name

    def save(self, *args, **kwargs):
        self.district_code = self.org.district_code or self.org.area.code[:6]
        super().save(*args, **kwargs)


class StaffRole(models.TextChoices):
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_ASSISTANT = "grid_assistant", _("网格辅助员")


class GridStaff(DistrictStamped):
    district_area = "grid"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="grid_posts")
    grid = models.ForeignKey("areas.Area", verbose_name=_("网格"), on_delete=models.PROTECT,
                             related_name="staff", limit_choices_to={"level": "grid"})
    role = models.CharField(_("岗位"), max_length=16, choices=StaffRole.choices)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("网格人员")
        ordering = ["grid__code", "role"]
        constraints = [
            models.UniqueConstraint(fields=["person", "grid", "role"], name="gridstaff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_role_display()} {self.person}"


class Volunteer(DistrictStamped):
    person = models.OneToOneField(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="volunteer")
    area = models.ForeignKey("areas.Area", verbose_name=_("服务社区"), on_delete=models.PROTECT,
                             related_name="volunteers")
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    team = models.CharField(_("服务队"), max_length=100, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("志愿者")
        ordering = ["person__name"]

    def __str__(self) -> str:
        return self.person.name
