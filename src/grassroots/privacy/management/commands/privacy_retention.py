from django.core.management.base import BaseCommand

from grassroots.privacy.services import retention_run, retention_years


class Command(BaseCommand):
    help = "匿名化超过保存期限（GRASSROOTS_RETENTION_YEARS 年）的已办结诉求中的个人信息"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, batch, **options):
        total = 0
        while n := retention_run(batch=batch):
            total += n
        self.stdout.write(f"已匿名化 {total} 件诉求（保存期限 {retention_years()} 年）")
