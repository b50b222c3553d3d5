"""``grassroots audit_verify [--heads-out FILE] [--heads FILE]``: walk every hash chain (the audit trail, the
case events; core/chain.py) in primary-key order and name the first broken link of each chain; exit status 1
when any link is broken.

``--heads-out`` writes each chain's last row (table, district, id, hash) as JSON to keep elsewhere (off this
database); ``--heads`` checks such a file later: every kept head must still be in its chain with the same hash,
which a rewrite of the whole chain by someone with write access to the database cannot keep (docs/security.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grassroots.core import chain

PROBLEMS = {
    "edited": "该行内容在应用之外被改动（重新计算的哈希与保存的不符）",
    "link": "该行记录的上一行哈希与前一行不符：之前有行被删除，或前一行被改动后重新计算了哈希",
    "inserted": "该行是插入到链中两行之间的（后一行仍指向它之前的一行）",
    "start": "链的开头有行被删除（第一行不指向链的起点）",
    "head": "离线保存的链头已不在链中或哈希不同：链在保存之后被整体改写或截短",
}


class Command(BaseCommand):
    help = "逐行核验审计日志和诉求办理记录的哈希链，指出每条链第一个断开的位置；有断链时退出码为 1"

    def add_arguments(self, parser):
        parser.add_argument("--heads-out", type=Path, help="把每条链的链头（表、区县、行号、哈希）写入此 JSON 文件，供离线保存")
        parser.add_argument("--heads", type=Path, help="核对此前用 --heads-out 保存的链头是否仍在链中")
        parser.add_argument("--district", help="只核验这个区县（代码）的链")
        parser.add_argument("--chunk", type=int, default=5000, help="每次从数据库读取的行数（默认 5000）")

    def handle(self, *args, heads_out: Path | None = None, heads: Path | None = None, chunk: int = 5000,
               district: str | None = None,
               database: str = "default", **options):
        started = time.monotonic()
        reports: list[chain.ChainReport] = []
        for model in chain.chained_models():
            total = 0
            for report in chain.verify(model, using=database, chunk_size=chunk, district_code=district):
                reports.append(report)
                total += report.rows
                self.stdout.write(f"{report.table} 区县「{report.district_code or '无'}」：{report.rows} 行，"
                                  f"链头 #{report.head_pk} {report.head[:16]}"
                                  + ("" if report.broken is None else "  ✗ 断链"))
            self.stdout.write(f"{model._meta.db_table}：共 {total} 行")
        if heads is not None:
            reports += self._check_heads(heads, database)
        if heads_out is not None:
            kept = {"at": timezone.now().isoformat(), "heads": [
                {"table": r.table, "district_code": r.district_code, "id": r.head_pk, "hash": r.head, "rows": r.rows}
                for r in reports if r.head_pk is not None and r.broken is None]}
            heads_out.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
            self.stdout.write(f"链头已写入 {heads_out}，请保存到本数据库之外")
        broken = [r for r in reports if r.broken is not None]
        if broken:
            lines = [self._describe(r) for r in broken]
            raise CommandError(f"{len(broken)} 条链断开：\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS(
            f"核验通过：{sum(1 for r in reports if r.head_pk is not None)} 条链，{sum(r.rows for r in reports)} 行，"
            f"用时 {time.monotonic() - started:.1f} 秒"))

    @staticmethod
    def _describe(report: chain.ChainReport) -> str:
        b = report.broken
        at = timezone.localtime(b.at).strftime("%Y-%m-%d %H:%M:%S") if b.at else "-"
        return (f"{report.table} 区县「{report.district_code or '无'}」第一个断点：第 {b.pk} 行（{at}）："
                f"{PROBLEMS[b.problem]}")

    @staticmethod
    def _check_heads(path: Path, database: str) -> list[chain.ChainReport]:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))["heads"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"无法读取链头文件 {path}：{exc}") from exc
        tables = {m._meta.db_table: m for m in chain.chained_models()}
        out = []
        for head in kept:
            model = tables.get(head.get("table"))
            if model is None:
                raise CommandError(f"链头文件中的表 {head.get('table')!r} 不是哈希链表")
            row = model._default_manager.using(database).filter(pk=head["id"]).values_list(
                "hash", "district_code", "at").first()
            if row is None or row[0] != head["hash"] or row[1] != head["district_code"]:
                report = chain.ChainReport(model._meta.db_table, head["district_code"], head_pk=head["id"])
                report.broken = chain.Broken(head["id"], row[2] if row else None, "head")
                out.append(report)
        return out
