"""``grassroots restore ARCHIVE [--yes] [--require-key]``: put an archive of ``grassroots backup`` back.

Replaces the configured database (DATABASE_URL) and writes the media files back. Stop the site and the
workers first (docs/backup.md). Refuses a non-empty database without ``--yes``, a damaged archive, and an
archive of the other engine; warns (or, with ``--require-key``, stops) when the data key differs.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grassroots.core.backup import (
    BackupError,
    archive_read,
    backup_restore,
    database_extracted,
    engine_check,
    key_check,
    target_description,
    target_tables,
    unknown_migrations,
)


class Command(BaseCommand):
    help = "从 grassroots backup 的备份文件恢复数据库和媒体文件（先停止网站和 worker）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar）")
        parser.add_argument("--yes", action="store_true", help="目标数据库已有数据时也恢复（替换其中的全部数据）")
        parser.add_argument("--require-key", action="store_true",
                            help="当前数据密钥与备份时的不一致（或未设置）时停止，不做任何改动")

    def handle(self, *args, archive: str, yes: bool = False, require_key: bool = False, **options):
        try:
            manifest = archive_read(archive)
            engine_check(manifest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份 {Path(archive).name}：创建于 {manifest.get('created_at')}，{manifest['engine']}，"
                          f"媒体文件 {(manifest.get('media') or {}).get('files', 0)} 个")
        if unknown := unknown_migrations(manifest):
            self.stderr.write(self.style.WARNING(
                f"警告：备份来自更新版本的 grassroots（本版本没有这些迁移：{', '.join(unknown[:5])}）。"
                "请用不低于备份时的版本恢复。"))

        check = key_check(manifest)
        if check.ok:
            self.stdout.write(self.style.SUCCESS(check.message))
        else:
            self.stderr.write(self.style.WARNING(check.message))
            if require_key:
                raise CommandError("已停止（--require-key）：数据密钥与备份不一致，没有恢复任何数据。\n"
                                   "Stopped (--require-key): the data key does not match the backup; nothing restored.")

        target = target_description()
        try:
            with database_extracted(path=archive, manifest=manifest) as database:
                tables = target_tables()
                if tables and not yes:
                    raise CommandError(
                        f"目标数据库 {target} 已有 {len(tables)} 张表（如 {', '.join(tables[:3])}）。恢复会用备份替换"
                        "其中的全部数据；确认无误后加 --yes 再运行。\n"
                        f"The target database already has {len(tables)} tables; restoring replaces its data. "
                        "Run again with --yes to confirm.")
                self.stdout.write(f"正在恢复到 {target} …")
                result = backup_restore(path=archive, manifest=manifest, database=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"恢复完成：数据库 {target}，媒体文件 {result.media_files} 个"))
        if result.rows:
            self.stdout.write("  行数（备份时 → 现在）：" + "，".join(
                f"{label} {then} → {now}" for label, (then, now) in result.rows.items()))
        if result.audit_problem:
            self.stderr.write(self.style.WARNING(f"审计记录未能写入：{result.audit_problem}"))
        if result.pending_migrations:
            self.stdout.write(self.style.WARNING(
                f"备份来自较早的版本：还有 {len(result.pending_migrations)} 个迁移未应用，请运行 grassroots migrate。"))
        if not check.ok:
            self.stderr.write(self.style.WARNING("再次提醒：见上面的数据密钥警告。 / See the data-key warning above."))
