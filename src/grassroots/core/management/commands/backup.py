"""``grassroots backup [--output DIR_OR_FILE]``: the database, the media files and a manifest in one archive.

The data key is not in it (docs/backup.md). Safe while the site serves; cron or a systemd timer runs it nightly.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grassroots.core.backup import BackupError, backup_audit, backup_create


class Command(BaseCommand):
    help = ("备份：数据库、媒体文件（照片、报告）和清单写进一个 .tar 文件。数据密钥 GRASSROOTS_DATA_KEY 不在其中，"
            "请另行保存")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="",
                            help="目录（在其中写 grassroots-YYYYMMDD-HHMMSS.tar，没有则创建）或以 .tar 结尾的文件名；"
                                 "默认 GRASSROOTS_HOME/var/backups/")

    def handle(self, *args, output: str = "", **options):
        try:
            result = backup_create(output=output or None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        backup_audit(result)
        manifest = result.manifest
        key = manifest["data_key"]
        self.stdout.write(self.style.SUCCESS(f"备份完成：{result.path}"))
        self.stdout.write(f"  大小 {result.size / 1024 / 1024:.1f} MB，sha256 {result.sha256}")
        self.stdout.write(f"  数据库 {manifest['engine']}（{manifest['database']['bytes'] / 1024 / 1024:.1f} MB），"
                          f"媒体文件 {manifest['media']['files']} 个")
        self.stdout.write("  " + "，".join(f"{label} {n}" for label, n in manifest["rows"].items()))
        if key["fingerprint"] is None:
            self.stderr.write(self.style.WARNING("警告：当前没有可用的数据密钥，备份未记录密钥指纹。"))
        elif key["development"]:
            self.stderr.write(self.style.WARNING(
                "警告：当前使用开发用的默认密钥（未设置 GRASSROOTS_DATA_KEY），加密字段只受一把公开的密钥保护。"))
        self.stdout.write(self.style.WARNING(
            f"提醒：数据密钥 GRASSROOTS_DATA_KEY 不在备份里（清单只记录它的指纹 {key['fingerprint']}）。"
            "请把密钥与备份分开妥善保存：没有它，备份中的身份证号和手机号无法解密。\n"
            "Reminder: the data key is NOT in this archive. Keep GRASSROOTS_DATA_KEY apart from the backups; "
            "without it the ID and phone numbers in them cannot be decrypted."))
