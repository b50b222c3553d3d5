"""``grassroots rotate_data_key [--batch 500] [--check]``: re-encrypt every encrypted column and rebuild every
blind index under the current GRASSROOTS_DATA_KEY, reading the old values with GRASSROOTS_DATA_KEY_PREVIOUS.

Safe while the site serves; resumable after a crash (rerun it). ``--check`` only counts the rows still under
an old key and exits with status 1 when there are any (docs/keys.md)."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from grassroots.core import crypto, rotation


class Command(BaseCommand):
    help = ("用新的数据密钥（GRASSROOTS_DATA_KEY）重新加密所有加密字段并重建盲索引，旧数据用 GRASSROOTS_DATA_KEY_PREVIOUS "
            "解密；可在服务运行时执行，中断后重新运行即从断点继续（--check 只统计仍在旧密钥下的行）")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=rotation.DEFAULT_BATCH,
                            help=f"每个事务处理的行数（默认 {rotation.DEFAULT_BATCH}）")
        parser.add_argument("--check", action="store_true",
                            help="只统计，不改写；仍有旧密钥、无法解密或索引不符的行时退出码为 1")

    def handle(self, *args, batch: int = rotation.DEFAULT_BATCH, check: bool = False, **options):
        try:
            fingerprints = crypto.fingerprints()
        except crypto.DataKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"当前密钥指纹 {fingerprints[0]}；仍可读取的旧密钥："
                          + ("、".join(fingerprints[1:]) if fingerprints[1:] else "无（未设置 GRASSROOTS_DATA_KEY_PREVIOUS）"))
        if check:
            return self._check()
        if batch < 1:
            raise CommandError("--batch 必须大于 0")
        started = time.monotonic()
        last_shown = [0.0]

        def shown(label: str, scanned: int, rotated: int) -> None:
            if time.monotonic() - last_shown[0] >= 5:
                last_shown[0] = time.monotonic()
                self.stdout.write(f"  {label}：已扫描 {scanned} 行，改写 {rotated} 行……")

        try:
            result = rotation.rotate(size=batch, on_batch=shown)
        except rotation.RotationError as exc:
            raise CommandError(f"{exc}\n已完成的批次已保存，解决问题后重新运行即从断点继续。") from exc
        rows = {s.label: s.rows for s in result.survey}
        for m in result.models:
            if m.skipped:
                note = "此前已完成"
            else:
                note = f"本次扫描 {m.scanned} 行，改写 {m.rotated} 行" + (
                    f"（从主键 {m.resumed_after} 之后继续）" if m.resumed_after else "")
            self.stdout.write(f"{m.label}：{rows.get(m.label, 0)} 行加密数据，{note}")
        self.stdout.write(self.style.SUCCESS(
            f"完成：共改写 {result.rotated} 行，用时 {time.monotonic() - started:.1f} 秒；核验通过，所有加密字段都能只用当前密钥"
            f"（{result.fingerprint}）解密，盲索引均为当前密钥的索引。"))
        if os.environ.get("GRASSROOTS_DATA_KEY_PREVIOUS", "").strip():
            self.stdout.write(self.style.WARNING(
                "现在可以从所有进程的环境中删除 GRASSROOTS_DATA_KEY_PREVIOUS 并重启（旧密钥仍需与用它做的备份一起保存，"
                "恢复这些备份时要用到）。\nYou may now remove GRASSROOTS_DATA_KEY_PREVIOUS from every process and "
                "restart them (keep the old key with the backups made under it)."))

    def _check(self):
        surveys = rotation.survey()
        for s in surveys:
            self.stdout.write(s.describe())
        old = sum(s.old for s in surveys)
        bad = sum(s.lost + s.mismatched for s in surveys)
        if old or bad:
            raise CommandError(f"仍有 {old} 行在旧密钥下" + (f"，{bad} 行无法处理（无法解密或盲索引不符）" if bad else "")
                               + "：运行 grassroots rotate_data_key")
        self.stdout.write(self.style.SUCCESS(f"所有 {sum(s.rows for s in surveys)} 行加密数据都在当前密钥下。"))
