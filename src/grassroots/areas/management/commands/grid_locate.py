from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.areas.geo import GridLocateError, grid_locate


class Command(BaseCommand):
    help = "Print the grid that contains a WGS84 point: code, name and full path (grid_locate LAT LNG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lat", help="纬度 latitude, e.g. 32.605")
        parser.add_argument("lng", help="经度 longitude, e.g. 110.705")

    def handle(self, *args, lat: str, lng: str, **options) -> None:
        try:
            grid = grid_locate(lat, lng)
        except GridLocateError as exc:
            raise CommandError(str(exc)) from None
        path = " / ".join([*(a.name for a in grid.ancestors()), grid.name])
        self.stdout.write(f"{grid.code}\t{grid.name}\t{path}")
