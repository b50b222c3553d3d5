"""``grassroots kpi_rebuild [--district CODE] [--check]``: recompute the daily KPI rollups from the raw
cases, print every difference with the stored rows, and (unless ``--check``) replace them.

Exit status 1 with ``--check`` when a difference was found (for a cron job or a test)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from grassroots.assessment import rollups
from grassroots.cases.models import Case

SHOWN = 20


class Command(BaseCommand):
    help = "从原始诉求重算考核日汇总，报告与已存汇总的差异（--check 只检查不改写）"

    def add_arguments(self, parser):
        parser.add_argument("--district", action="append", default=[], metavar="CODE",
                            help="区县代码（可重复；默认全部）")
        parser.add_argument("--check", action="store_true", help="只比较，不改写；有差异时退出码为 1")

    def handle(self, *args, **options):
        districts = options["district"] or sorted(
            set(Case.objects.order_by().values_list("district_code", flat=True).distinct()))
        found = 0
        for code in districts:
            started = time.monotonic()
            report = rollups.rebuild(code, write=not options["check"])
            found += len(report.differences)
            self.stdout.write(f"{code}: {report.rows} 行汇总，{len(report.differences)} 处差异"
                              f"（{time.monotonic() - started:.1f} 秒）"
                              + ("" if options["check"] or not report.differences else "，已按原始诉求重写"))
            for diff in report.differences[:SHOWN]:
                self.stdout.write("  " + diff.describe())
            if len(report.differences) > SHOWN:
                self.stdout.write(f"  …… 另有 {len(report.differences) - SHOWN} 处")
        if options["check"] and found:
            raise CommandError(f"发现 {found} 处差异")
