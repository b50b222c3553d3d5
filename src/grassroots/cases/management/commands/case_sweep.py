"""``grassroots case_sweep``: one pass of the time-limit sweep (the worker runs it every minute)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from grassroots.cases.sweep import sla_sweep


class Command(BaseCommand):
    help = "执行一次办理时限巡检：临期预警、超时上提/督办、挂账复查、未评价自动办结"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")

    def handle(self, *args, as_json: bool = False, **options):
        result = sla_sweep()
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            f"临期预警 {result.warned} 件，超时上提 {result.escalated} 件，超时督办 {result.supervised} 件，"
            f"解除挂账 {result.unparked} 件，未评价自动办结 {result.closed} 件，吹哨任务超时提醒 {result.tasks_reminded} 件，"
            f"补算时限 {result.scheduled} 件，补计统计 {result.counted} 件"
            + (f"；{len(result.problems)} 件因工作日历缺失无法计算" if result.problems else ""))
