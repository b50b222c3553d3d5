"""``grassroots stats [--json] [--district CODE]``: what is in the database."""

import json

from django.core.management.base import BaseCommand, CommandError

from grassroots.demo.stats import collect_stats, stats_table


class Command(BaseCommand):
    help = "统计区域、党组织、单位、人员和诉求的数量（--json 输出一个 JSON 对象）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON（供脚本使用）")
        parser.add_argument("--district", metavar="CODE", help="只统计这个区县（6位代码）")

    def handle(self, *args, **options):
        district = options.get("district")
        if district and not (district.isdigit() and len(district) == 6):
            raise CommandError(f"区县代码应为6位数字，收到“{district}”")
        stats = collect_stats(district)
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False))
        else:
            self.stdout.write(stats_table(stats))
