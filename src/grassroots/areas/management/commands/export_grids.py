from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.areas.geo import dump_feature_collection
from grassroots.areas.models import Area
from grassroots.areas.selectors import grids_feature_collection


class Command(BaseCommand):
    help = "Export the grid boundaries under an area as GeoJSON (stdout, or -o FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area_code", help="区域编码（区县/街道/社区/网格）")
        parser.add_argument("-o", "--output", help="输出文件（默认输出到屏幕）")
        parser.add_argument("--only-drawn", action="store_true", help="只导出已绘制边界的网格")

    def handle(self, *args, area_code: str, output: str | None, only_drawn: bool, **options) -> None:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise CommandError(f"区域编码 {area_code} 不存在")
        data = grids_feature_collection(area, with_empty=not only_drawn)
        text = dump_feature_collection(data)
        if not output:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        drawn = sum(1 for f in data["features"] if f["geometry"] is not None)
        self.stderr.write(f"已导出 {len(data['features'])} 个网格（{drawn} 个有边界）到 {output}")
