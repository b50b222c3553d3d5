import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.accounts.models import User
from grassroots.areas.services import grid_boundaries_import


class Command(BaseCommand):
    help = (
        "Import grid boundaries from a GeoJSON FeatureCollection (features matched by properties.code). "
        "All or nothing: any bad geometry or overlap aborts the whole file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON 文件")
        parser.add_argument("--area", default="", help="只允许导入该区域编码下的网格（默认不限）")
        parser.add_argument("--actor", default="", help="记入审计日志的用户名（默认：命令行）")

    def handle(self, *args, file: str, area: str, actor: str, **options) -> None:
        user = None
        if actor:
            user = User.objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"用户 {actor} 不存在")
        data = _read(Path(file))
        try:
            result = grid_boundaries_import(feature_collection=data, actor=user, scope_code=area)
        except ValidationError as exc:
            raise CommandError("网格边界未导入（未做任何修改）：\n" + "\n".join(exc.messages)) from None
        self.stdout.write(f"已更新 {len(result.updated)} 个网格的边界")
        if result.skipped:
            self.stdout.write(f"{len(result.skipped)} 个要素没有边界，保持原样：{'、'.join(result.skipped)}")


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandError(f"文件 {path} 不存在") from None
    except UnicodeDecodeError:
        raise CommandError(f"文件 {path} 不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"文件 {path} 不是有效的 JSON：第{exc.lineno}行第{exc.colno}列附近有格式错误") from None
