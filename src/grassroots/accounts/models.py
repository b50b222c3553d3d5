"""Users hold roles at an Area or at a Unit; what they may see and do follows from those rows."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    STREET_ADMIN = "street_admin", _("街道管理员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_ASSISTANT = "grid_assistant", _("网格辅助员")
    PARTY_SECRETARY = "party_secretary", _("党组织书记")
    DEPARTMENT_HANDLER = "department_handler", _("部门/单位经办人")
    LEADER = "leader", _("领导(只读)")
    PARTY_MEMBER = "party_member", _("党员（接单）")
    RESIDENT = "resident", _("居民")


# Roles held at an Area (the rest are held at a Unit).
AREA_ROLES = {
    Role.DISTRICT_ADMIN: "district",
    Role.STREET_ADMIN: "street",
    Role.COMMUNITY_WORKER: "community",
    Role.GRID_LEADER: "grid",
    Role.GRID_WORKER: "grid",
    Role.GRID_ASSISTANT: "grid",
    Role.PARTY_SECRETARY: None,  # any level: the area of the secretary's Party organisation
    Role.LEADER: None,
    Role.PARTY_MEMBER: None,  # the community (or grid) where the member serves: 双报到
    Role.RESIDENT: "household",
}
UNIT_ROLES = {Role.DEPARTMENT_HANDLER}


class Capability(models.TextChoices):
    VIEW_AREAS = "view_areas", _("查看区域")
    VIEW_RESIDENTS = "view_residents", _("查看居民")
    VIEW_PARTY = "view_party", _("查看党组织与党员")
    VIEW_CARE_TAGS = "view_care_tags", _("查看关爱标签")
    REVEAL_PERSONAL = "reveal_personal", _("查看完整身份证号/手机号")
    MANAGE_REGISTERS = "manage_registers", _("导入/维护台账")
    VIEW_UNITS = "view_units", _("查看单位")
    VIEW_CASES = "view_cases", _("查看诉求")
    DISPATCH_CASES = "dispatch_cases", _("受理/派单")
    HANDLE_CASES = "handle_cases", _("办理诉求")
    TAKE_CASES = "take_cases", _("接单（党员）")


_STAFF = {
    Capability.VIEW_AREAS, Capability.VIEW_RESIDENTS, Capability.VIEW_PARTY, Capability.VIEW_CARE_TAGS,
    Capability.REVEAL_PERSONAL, Capability.VIEW_UNITS,
}
# Cases: dispatchers (受理/派单) at district, street and community; handlers (办理) wherever staff work;
# a department's handler handles the cases dispatched to their unit (see cases/transitions.py).
_CASE_DISPATCHER = {Capability.VIEW_CASES, Capability.DISPATCH_CASES, Capability.HANDLE_CASES}
_CASE_HANDLER = {Capability.VIEW_CASES, Capability.HANDLE_CASES}
ROLE_CAPABILITIES: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: _STAFF | {Capability.MANAGE_REGISTERS} | _CASE_DISPATCHER,
    Role.STREET_ADMIN: _STAFF | {Capability.MANAGE_REGISTERS} | _CASE_DISPATCHER,
    Role.COMMUNITY_WORKER: _STAFF | {Capability.MANAGE_REGISTERS} | _CASE_DISPATCHER,
    Role.GRID_LEADER: _STAFF | _CASE_HANDLER,
    Role.GRID_WORKER: _STAFF | _CASE_HANDLER,
    Role.GRID_ASSISTANT: {Capability.VIEW_AREAS, Capability.VIEW_RESIDENTS, Capability.VIEW_UNITS,
                          Capability.VIEW_CASES},
    Role.PARTY_SECRETARY: {Capability.VIEW_AREAS, Capability.VIEW_PARTY, Capability.VIEW_UNITS,
                           Capability.VIEW_CASES},
    Role.LEADER: {Capability.VIEW_AREAS, Capability.VIEW_PARTY, Capability.VIEW_UNITS, Capability.VIEW_CASES},
    Role.DEPARTMENT_HANDLER: {Capability.VIEW_UNITS, Capability.HANDLE_CASES},
    # An in-service Party member registered with a community (双报到) takes the cases dispatched to
    # them personally (点单-派单-接单); they see those cases and nothing else.
    Role.PARTY_MEMBER: {Capability.TAKE_CASES},
    Role.RESIDENT: set(),
}


class User(AbstractUser):
    display_name = models.CharField(_("显示名"), max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("区域"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="role_assignments")

    class Meta:
        verbose_name = verbose_name_plural = _("角色")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(area__isnull=False, unit__isnull=True)
                           | models.Q(area__isnull=True, unit__isnull=False)),
                name="role_at_area_xor_unit",
            ),
            models.UniqueConstraint(fields=["user", "role", "area", "unit"], name="role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area or self.unit}"
