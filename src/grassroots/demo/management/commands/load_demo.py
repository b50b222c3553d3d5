"""``grassroots load_demo [--seed N] [--scale zhangwan|changchun] [--people full|light|none]
[--cases N] [--end YYYY-MM-DD] [--flush]``."""

import time
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from grassroots.core import deferred
from grassroots.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, account_places
from grassroots.demo.caseplan import DEFAULT_CASES
from grassroots.demo.generator import DEFAULT_SEED, build_plan
from grassroots.demo.loader import DEMO_DISTRICT_CODES, OPTIONAL_PARTS, existing_data, flush_demo, load_plan
from grassroots.demo.plan import PEOPLE_LEVELS, SCALES
from grassroots.demo.stats import account_work


class Command(BaseCommand):
    help = "生成演示区县（确定性：同一个种子生成完全相同的数据）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
        parser.add_argument("--scale", choices=sorted(SCALES), default="zhangwan",
                            help="zhangwan：十堰市张湾区（4街道34社区335网格）；changchun：437社区2995网格（压测用）")
        parser.add_argument("--people", choices=PEOPLE_LEVELS, default=None,
                            help="full：每栋8–16户、每户1–4人；light：每栋4户；none：不生成户和人员"
                                 "（默认 zhangwan 为 full，changchun 为 light）")
        parser.add_argument("--cases", type=int, default=None, metavar="N",
                            help=f"一年的诉求件数（默认 zhangwan 为 {DEFAULT_CASES}，changchun 为 0；0 表示不生成诉求）")
        parser.add_argument("--end", metavar="YYYY-MM-DD", default=None,
                            help="诉求截止的日期（默认现在；给定日期则截止到当天18:00，结果与运行时间无关）")
        parser.add_argument("--without", action="append", choices=OPTIONAL_PARTS, default=[], metavar="PART",
                            help="不生成某一部分（可重复）：points 积分、deliberation 议事协商、matching 三张清单、evaluation 双向评价、stars 星级评定、reports 月度报告"
                                 "（测试只需诉求时用，加载更快）")
        parser.add_argument("--flush", action="store_true",
                            help=f"先删除演示区县（{'、'.join(DEMO_DISTRICT_CODES)}）的全部数据和演示账号")

    def handle(self, *args, **options):
        started = time.monotonic()
        if not options["flush"]:
            self._refuse_if_not_empty()
        cases = options["cases"]
        if cases is None:
            cases = DEFAULT_CASES if options["scale"] == "zhangwan" else 0
        if cases < 0:
            raise CommandError(f"--cases 应为0或正整数，收到 {cases}")
        end = self._end(options["end"])
        plan = build_plan(options["scale"], options["seed"], options["people"])
        self.stdout.write(f"生成计划：{plan.district_name}（{plan.district_code}），种子 {plan.seed}，"
                          f"人员 {plan.people}，用时 {time.monotonic() - started:.1f} 秒")
        # flush and load together: a failed load keeps the old data. A year of cases is written as if each
        # were received then: what follows each one (notifications, routing) is done at once, not queued.
        with transaction.atomic(), deferred.inline():
            if options["flush"]:
                removed = flush_demo()
                self.stdout.write("已删除演示数据：" + "，".join(f"{c} 区域{n}个" for c, n in removed.items()))
            else:
                self._refuse_if_not_empty()
            counts = load_plan(plan, cases=cases, end=end,
                               log=lambda msg: self.stdout.write(f"  [{time.monotonic() - started:4.0f} 秒] 写入{msg}"),
                               without=frozenset(options["without"]))
        areas = counts["areas"]
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已加载：街道{areas.get('street', 0)}个、社区{areas.get('community', 0)}个、"
            f"网格{areas.get('grid', 0)}个、楼栋{areas.get('building', 0)}栋、户{areas.get('household', 0)}户、"
            f"诉求{counts.get('cases', {}).get('cases', 0)}件，"
            f"用时 {time.monotonic() - started:.1f} 秒"))
        self._print_accounts(plan)
        if counts.get("cases"):
            self.stdout.write("另有每个网格、社区、街道和单位的工作人员账号（密码相同）：demo.gw.<网格编码>、"
                              "demo.cw.<社区编码>、demo.sa.<街道编码>、demo.uh.<单位序号>")
            self.stdout.write("\n待办：")
            for line in account_work():
                self.stdout.write(f"  {line}")

    def _end(self, value: str | None) -> datetime:
        if not value:
            return timezone.now()
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--end 应为日期，如 2026-06-30，收到“{value}”") from None
        return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=18)),
                                   timezone.get_default_timezone())

    def _refuse_if_not_empty(self):
        found = existing_data()
        if found:
            what = "、".join(f"{k}{v}条" for k, v in found.items())
            raise CommandError(
                f"数据库不是空的（已有{what}），为避免混入或覆盖，没有加载演示数据。"
                f"如需重新生成演示数据，请加 --flush（会先删除演示区县 {'、'.join(DEMO_DISTRICT_CODES)} "
                "的全部数据和演示账号，其他区县的数据不受影响）。"
            )

    def _print_accounts(self, plan):
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        has_households = any(a.level == "household" for a in plan.areas)
        for account in DEMO_ACCOUNTS:
            if account.username == "resident" and not has_households:
                continue
            place = account.place if plan.scale == "zhangwan" else _place_elsewhere(plan, account.username)
            self.stdout.write(f"  {account.username:<11} {_pad(account.role_label, 16)} {place}")


def _place_elsewhere(plan, username):
    places = account_places(plan)
    at = {"admin": None, "district": "district", "leader": "district", "street": "street",
          "community": "community", "secretary": "community", "gridleader": "grid", "grid": "grid",
          "assistant": "grid", "dept": "unit", "member": "community", "resident": "household",
          "unit": "unit"}.get(username, "community")  # volunteer, woodpecker, merchant: a community
    if at is None:
        return "全部"
    if at == "unit":
        return places["unit"]
    by_code = {a.code: a for a in plan.areas}
    code, names = places[at], []
    while code in by_code and by_code[code].level != "district":
        names.append(by_code[code].name)
        code = by_code[code].parent
    return "".join(reversed(names[:3]))


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(0, width - used)
