"""Hotline files built from the real citizen messages of the TipDM sample (shared/data), in the copy the
product ships with its demo (src/grassroots/demo/data), so the tests run wherever the repository is."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import grassroots.demo
from grassroots.intake.hotline import hotline_map, hotline_run, hotline_upload
from grassroots.intake.services import api_client_create
from tests.registers.util import xlsx_bytes as register_xlsx_bytes

MESSAGES = Path(grassroots.demo.__file__).resolve().parent / "data" / "messages_labeled_sample.jsonl"
HEADERS = ["工单编号", "来电时间", "来电人", "来电号码", "诉求标题", "诉求内容", "事发地址", "所属网格",
           "经度", "纬度", "问题分类", "紧急程度", "办理时限"]


def messages() -> list[dict]:
    """The real messages, labels taken in turn (the file is sorted by label)."""
    with MESSAGES.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    by_label: dict[str, list[dict]] = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(row)
    queues = list(by_label.values())
    mixed = []
    while any(queues):
        for queue in queues:
            if queue:
                mixed.append(queue.pop(0))
    return mixed


def hotline_rows(tree, n: int = 12) -> list[list[Any]]:
    """``n`` work orders from real messages, placed each way the importer knows: coordinates in grid A,
    a grid's name, an address naming a building of grid B, and nothing (the district takes it)."""
    rows = []
    grid_a, grid_b = tree.grid("A"), tree.grid("B")
    for i, msg in enumerate(messages()[:n]):
        lng = lat = area = address = ""
        kind = i % 4
        if kind == 0:  # inside grid A's square (110.70–110.71, 32.60–32.61)
            lng, lat = 110.705, 32.605
        elif kind == 1:
            area = f"{tree.communities[1].name}/{tree.grids[2].name}"
        elif kind == 2:
            address = f"{grid_b.name}{tree.buildings[2].name}楼下"  # grid B's first building ("1栋")
        rows.append([f"GD2024{i:06d}", msg["submitted_at"], "张先生" if i % 2 else "", f"1390000{i:04d}",
                     msg["title"], msg["body"], address, area, lng, lat, msg["label"],
                     "紧急" if i == 5 else "一般", "5个工作日" if i == 3 else ""])
    assert grid_a.code  # (used above by coordinates)
    return rows


def xlsx_bytes(headers: Sequence[Any], rows: Sequence[Sequence[Any]], title: str | None = None) -> bytes:
    """A workbook with the headers and rows, under a title row (as many hotline exports have) if given."""
    if title:
        return register_xlsx_bytes([title], [headers, *rows])
    return register_xlsx_bytes(headers, rows)


def csv_bytes(headers: Sequence[Any], rows: Sequence[Sequence[Any]], encoding: str = "gbk") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="replace" if encoding == "gbk" else "strict")


def upload(content: bytes, name: str = "12345工单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run(user, content: bytes, name: str = "12345工单.xlsx", mapping: dict | None = None, source: str = "12345"):
    """Upload, accept the proposed mapping (or ``mapping``), and run the job as the worker would."""
    job = hotline_upload(user=user, upload=upload(content, name), source=source)
    job = hotline_map(job=job, user=user, mapping=mapping or job.mapping)
    return hotline_run(job=job)


@pytest.fixture
def dispatcher(tree):
    return tree.user("district_admin")


@pytest.fixture
def api_key(tree):
    """The key of an API client of the 12345 platform for the tree's district."""
    _client, key = api_client_create(name="市12345平台", source="12345", district=tree.district,
                                     actor=tree.user("root"))
    return key
