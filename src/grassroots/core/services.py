from __future__ import annotations

from typing import Any

from .models import AuditEntry


def audit_record(
    *, actor, action: str, obj: Any = None, object_type: str = "", object_id: str = "",
    district_code: str = "", detail: dict | None = None,
) -> AuditEntry:
    """Append one audit row. Call inside the service's transaction so both land or neither does."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        district_code = district_code or getattr(obj, "district_code", "") or ""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        district_code=district_code,
        detail=detail or {},
    )


def export_audit(
    *, actor, kind: str, rows: int, fields: list[str], filters: dict | None = None, unmasked: list[str] | tuple = (),
    obj: Any = None, object_type: str = "", object_id: str = "", district_code: str = "", **extra: Any,
) -> AuditEntry:
    """Audit an export of personal data with what was exported: ``kind`` (which list), the ``rows`` written,
    the columns (``fields``), the ``filters`` that chose them and the columns shown in full (``unmasked``;
    empty when ID numbers and phones were masked). The action is ``<kind>.export``."""
    return audit_record(actor=actor, action=f"{kind}.export", obj=obj, object_type=object_type, object_id=object_id,
                        district_code=district_code, detail={
                            "kind": kind, "rows": rows, "fields": list(fields),
                            "filters": {k: str(v) for k, v in (filters or {}).items() if v},
                            "unmasked": list(unmasked), **extra})
