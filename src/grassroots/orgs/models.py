"""The five-level Party structure laid over the Area tree, and the units outside it.

Urban: 街道党工委(大工委) → 社区大党委 → 网格(小区)党支部 → 楼栋党小组 → 党员中心户.
Rural: 乡镇党委 → 村党支部 → 村民小组党小组 → 党员联系户.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import DistrictStamped


class PartyLevel(models.TextChoices):
    STREET_COMMITTEE = "street_committee", _("街道党工委(大工委)")
    COMMUNITY_COMMITTEE = "community_committee", _("社区大党委")
    GRID_BRANCH = "grid_branch", _("网格(小区)党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    MEMBER_HOUSEHOLD = "member_household", _("党员中心户")
    VILLAGE_BRANCH = "village_branch", _("村党支部")
    VILLAGER_GROUP = "villager_group", _("村民小组党小组")
    CONTACT_HOUSEHOLD = "contact_household", _("党员联系户")


# The area level each Party level is attached to.
PARTY_LEVEL_AREA = {
    PartyLevel.STREET_COMMITTEE: "street",
    PartyLevel.COMMUNITY_COMMITTEE: "community",
    PartyLevel.GRID_BRANCH: "grid",
    PartyLevel.BUILDING_GROUP: "building",
    PartyLevel.MEMBER_HOUSEHOLD: "household",
    PartyLevel.VILLAGE_BRANCH: "community",
    PartyLevel.VILLAGER_GROUP: "grid",
    PartyLevel.CONTACT_HOUSEHOLD: "household",
}
URBAN_FIVE_LEVELS = [
    PartyLevel.STREET_COMMITTEE,
    PartyLevel.COMMUNITY_COMMITTEE,
    PartyLevel.GRID_BRANCH,
    PartyLevel.BUILDING_GROUP,
    PartyLevel.MEMBER_HOUSEHOLD,
]


class PartyOrg(DistrictStamped):
    name = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("层级"), max_length=32, choices=PartyLevel.choices, db_index=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT,
                             related_name="party_orgs")
    parent = models.ForeignKey("self", verbose_name=_("上级党组织"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    secretary = models.CharField(_("书记/组长/户长"), max_length=50, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("党组织")
        ordering = ["area__code", "level"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    COBUILD = "cobuild", _("驻区单位/共建单位")
    DEPARTMENT = "department", _("职能部门")
    UTILITY = "utility", _("公用事业(水电气热)")
    PROPERTY = "property", _("物业公司")
    SOCIAL = "social", _("社会组织")


class Unit(DistrictStamped):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在/服务区域"), on_delete=models.PROTECT,
                             related_name="units")
    party_org = models.ForeignKey(PartyOrg, verbose_name=_("单位党组织"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="units",
                                  help_text=_("物业公司的党支部即“红色物业”"))
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name"], name="unit_unique_name_in_district"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_red_property(self) -> bool:
        return self.kind == UnitKind.PROPERTY and self.party_org_id is not None


class CommitteeSeat(models.Model):
    """兼职委员: a unit's leader sitting in a community's big Party committee."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="seats")
    committee = models.ForeignKey(PartyOrg, verbose_name=_("社区大党委"), on_delete=models.CASCADE,
                                  related_name="seats",
                                  limit_choices_to={"level": PartyLevel.COMMUNITY_COMMITTEE})
    holder = models.CharField(_("兼职委员"), max_length=50)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    # the committee's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("兼职委员")
        constraints = [
            models.UniqueConstraint(fields=["unit", "committee"], name="one_seat_per_unit_and_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.holder}（{self.unit}）"

    def save(self, *args, **kwargs):
        if not self.district_code:
            self.district_code = self.committee.district_code
        super().save(*args, **kwargs)


class Duty(DistrictStamped):
    """One line of a department's duty catalogue: it handles this category in this area subtree."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="duties")
    category = models.ForeignKey("cases.Category", verbose_name=_("事项类别"), on_delete=models.PROTECT,
                                 related_name="duties")
    area = models.ForeignKey("areas.Area", verbose_name=_("负责区域"), on_delete=models.PROTECT,
                             related_name="duties")
    note = models.CharField(_("职责说明"), max_length=200, blank=True)
    # the area's district (the shard key): filled on save; bulk writers set it themselves
    district_code = models.CharField(_("区县代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("职责清单")
        constraints = [
            models.UniqueConstraint(fields=["unit", "category", "area"], name="duty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.category} · {self.area}"
