"""Granting and taking away roles: every change writes an audit row (``role.grant`` / ``role.revoke``) in the
same transaction, whoever makes it — the admin, the 双报到 posts, a resident's household being confirmed."""

from __future__ import annotations

from django.db import transaction

from grassroots.core.services import audit_record

from .models import RoleAssignment


def role_detail(row: RoleAssignment) -> dict:
    return {"user": row.user_id, "username": row.user.username, "role": row.role,
            "area": row.area.code if row.area_id else None, "unit": row.unit_id}


def _district(row: RoleAssignment) -> str:
    if row.area_id:
        return row.area.code[:6]
    return getattr(row.unit, "district_code", "") or "" if row.unit_id else ""


def role_audit(*, actor, action: str, row: RoleAssignment, detail: dict | None = None) -> None:
    """One audit row for a role that was granted, changed or taken away (``action``: role.grant, role.change,
    role.revoke)."""
    audit_record(actor=actor, action=action, object_type="accounts.roleassignment", object_id=str(row.pk or ""),
                 district_code=_district(row), detail={**role_detail(row), **(detail or {})})


def role_grant(*, user, role: str, area=None, unit=None, actor) -> tuple[RoleAssignment, bool]:
    """The role at that place or unit (kept if held already); audited when it is new."""
    with transaction.atomic():
        row, created = RoleAssignment.objects.get_or_create(user=user, role=role, area=area, unit=unit)
        if created:
            role_audit(actor=actor, action="role.grant", row=row)
    return row, created


def roles_revoke(*, actor, queryset) -> int:
    """Take away the roles in ``queryset``, one audit row each."""
    with transaction.atomic():
        rows = list(queryset.select_related("user", "area", "unit"))
        for row in rows:
            role_audit(actor=actor, action="role.revoke", row=row)
        RoleAssignment.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)
