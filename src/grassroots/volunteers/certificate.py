"""A volunteer's hours certificate (志愿服务时长证明) as a printable PDF: every confirmed activity with
its date, team and hours, and the total; the number at the bottom is a digest of the rows, so a copy
can be checked against the platform."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from grassroots.core.pdf import Document

from .models import Signup
from .services import confirmed_hours_q


def certificate_pdf(user, name: str) -> tuple[bytes, str]:
    rows = list(Signup.objects.filter(user=user).filter(confirmed_hours_q())
                .select_related("activity__team", "activity__community").order_by("activity__starts_at"))
    total = sum((r.hours for r in rows), start=0)
    number = hashlib.sha256("|".join(f"{r.pk}:{r.hours}" for r in rows).encode()).hexdigest()[:12].upper()
    doc = Document(title="志愿服务时长证明", subtitle=f"{name} · 开具日期 {timezone.localdate():%Y-%m-%d}")
    doc.paragraph(f"兹证明 {name} 同志参加以下志愿服务活动，经活动组织者确认，累计志愿服务时长 {total} 小时。", size=11)
    doc.table(["日期", "活动", "服务队 / 社区", "时长（小时）"],
              [[timezone.localtime(r.activity.starts_at).strftime("%Y-%m-%d"), r.activity.title,
                r.activity.team.name if r.activity.team else r.activity.community.name, r.hours] for r in rows],
              widths=[2, 5, 4, 1.6])
    doc.paragraph(f"合计：{total} 小时　　证明编号：{number}")
    return doc.bytes(), number
