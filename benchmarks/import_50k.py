"""Import 50,000 residents from one .xlsx and print how fast validation and writing go.

    .venv/bin/python benchmarks/import_50k.py            # a fresh SQLite database in a temporary folder
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_50k.py   # a THROW-AWAY database

The script builds its own tree (one district, 20 grids, 500 buildings, 20,000 households and 1,000
registered persons), writes a valid residents file (45,000 rows by household code, 5,000 rows by
building + door creating 2,500 new households, 1,000 rows matching registered persons), imports it
through the same service the worker uses, and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
WORK = tempfile.mkdtemp(prefix="grassroots-bench-")  # the SQLite database and the uploaded file
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
if not os.environ.get("DATABASE_URL"):
    os.environ["GRASSROOTS_HOME"] = WORK
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
os.environ.setdefault("GRASSROOTS_DATA_KEY", "benchmark-data-key-0123456789abcdef0123")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.MEDIA_ROOT = Path(WORK) / "media"

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from grassroots.accounts.models import Role, RoleAssignment, User  # noqa: E402
from grassroots.areas.models import Area  # noqa: E402
from grassroots.areas.services import area_create  # noqa: E402
from grassroots.core.crypto import id_number_with_check  # noqa: E402
from grassroots.people.models import Person, Resident  # noqa: E402
from grassroots.registers.reader import read_sheet  # noqa: E402
from grassroots.registers.services import import_job_create, import_job_run  # noqa: E402
from grassroots.registers.specs import REGISTERS  # noqa: E402

GRIDS, BUILDINGS_PER_GRID, HOUSEHOLDS_PER_BUILDING = 20, 25, 40
REGISTERED_PERSONS = 1_000


def person_id(i: int, district: str) -> str:
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=i % 25_000)
    return id_number_with_check(f"{district}{born:%Y%m%d}{i // 25_000:03d}")


def build_tree(district_code: str) -> tuple[list[Area], list[Area]]:
    """Grids through the service; buildings and households in bulk (set-up, not measured)."""
    district = area_create(name="基准区", code=district_code, level="district")
    street = area_create(name="基准街道", parent=district)
    grids = []
    for c in range(2):
        community = area_create(name=f"基准社区{c + 1}", parent=street)
        grids += [area_create(name=f"网格{g + 1}", parent=community) for g in range(GRIDS // 2)]
    Area.objects.bulk_create([
        Area(code=f"{grid.code}{b + 1:03d}", name=f"{b + 1}栋", level="building", parent=grid)
        for grid in grids for b in range(BUILDINGS_PER_GRID)
    ], batch_size=1000)
    buildings = list(Area.objects.filter(level="building", code__startswith=district_code).order_by("code"))
    Area.objects.bulk_create([
        Area(code=f"{b.code}{h + 1:04d}", name=f"{h // 4 + 1}单元{h % 4 + 1}0{h // 4 + 1}室", level="household",
             parent=b)
        for b in buildings for h in range(HOUSEHOLDS_PER_BUILDING)
    ], batch_size=2000)
    households = list(Area.objects.filter(level="household", code__startswith=district_code).order_by("code"))
    return buildings, households


def register_persons(district_code: str) -> None:
    persons = []
    for i in range(REGISTERED_PERSONS):
        person = Person(name=f"已登记{i}", district_code=district_code)
        person.set_id_number(person_id(i, district_code))
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=1000)


def resident_rows(district_code: str, buildings: list[Area], households: list[Area], rows: int):
    by_code, by_door = rows - rows // 10, rows // 10
    for i in range(by_code):
        household = households[i % len(households)]
        relation = "户主" if i < len(households) else ("配偶" if i < 2 * len(households) else "子女")
        yield [household.code, "", "", f"居民{i}", person_id(i, district_code), f"139{i:08d}", relation,
               "独居老人" if i % 10 == 0 else ""]
    for j in range(by_door):
        i = by_code + j
        building = buildings[(j // 2) % len(buildings)]
        yield ["", building.code, f"新{j // 2}号", f"居民{i}", person_id(i, district_code), "",
               "户主" if j % 2 == 0 else "配偶", ""]


def xlsx_of(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民")
    sheet.append(REGISTERS["residents"].headers())
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--district", default="429901", help="code of the district the script builds")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Area.objects.filter(code=args.district).exists():
        sys.exit(f"district {args.district} exists already: use a throw-away database or --district")
    vendor = connection.vendor
    print(f"database: {vendor}; building the tree …", flush=True)
    buildings, households = build_tree(args.district)
    register_persons(args.district)
    user = User.objects.create_user(username=f"bench-{args.district}", password="x" * 12)
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_ADMIN, area=Area.objects.get(code=args.district))

    t0 = time.perf_counter()
    content = xlsx_of(resident_rows(args.district, buildings, households, args.rows))
    generate_s = time.perf_counter() - t0
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB, written in {generate_s:.1f} s", flush=True)

    t0 = time.perf_counter()
    read_sheet(io.BytesIO(content), REGISTERS["residents"])
    read_s = time.perf_counter() - t0

    residents_before = Resident.objects.count()
    job = import_job_create(user=user, register="residents", upload=SimpleUploadedFile("bench.xlsx", content))
    t0 = time.perf_counter()
    job = import_job_run(job=job)
    total_s = time.perf_counter() - t0
    if job.status != "done":
        sys.exit(f"import failed: {job.errors[:5]}")
    validate_s = (job.validated_at - job.started_at).total_seconds()
    write_s = (job.finished_at - job.validated_at).total_seconds()
    assert Resident.objects.count() - residents_before == args.rows
    print(f"read:     {args.rows / read_s:,.0f} rows/s ({read_s:.1f} s, included in validation)")
    print(f"validate: {args.rows / validate_s:,.0f} rows/s ({validate_s:.1f} s)")
    print(f"write:    {args.rows / write_s:,.0f} rows/s ({write_s:.1f} s)")
    print(f"total:    {total_s:.1f} s; {job.result}")
    print(json.dumps({
        "benchmark": "import_50k", "database": vendor, "rows": args.rows, "file_mb": round(len(content) / 1e6, 2),
        "read_s": round(read_s, 2), "validate_s": round(validate_s, 2),
        "validate_rows_per_s": round(args.rows / validate_s), "write_s": round(write_s, 2),
        "write_rows_per_s": round(args.rows / write_s), "total_s": round(total_s, 2), **job.result,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
