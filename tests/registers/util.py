"""Building spreadsheets and running imports in the register tests."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.core.crypto import id_number_with_check
from grassroots.registers.models import ImportJob
from grassroots.registers.services import import_job_create, import_job_run
from grassroots.registers.specs import REGISTERS

RESIDENT_HEADERS = REGISTERS["residents"].headers()


def new_id(i: int, region: str = "420303") -> str:
    """A valid ID number nobody in the test tree has (born 1950 onwards, one per i)."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i)
    return id_number_with_check(f"{region}{born:%Y%m%d}{i % 1000:03d}")


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload_file(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def run_import(user, register: str, rows: Iterable[Sequence[Any]], headers: Sequence[Any] | None = None) -> ImportJob:
    content = xlsx_bytes(headers or REGISTERS[register].headers(), rows)
    job = import_job_create(user=user, register=register, upload=upload_file(content))
    return import_job_run(job=job)


def messages(job: ImportJob) -> list[str]:
    return [e["message"] for e in job.errors]


def sheet_values(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def replace_text(content: bytes, old: str, new: str) -> bytes:
    """Rewrite a string inside a saved workbook (openpyxl itself cuts cells at Excel's 32,767 characters)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".xml"):
                data = data.replace(old.encode(), new.encode())
            target.writestr(item, data)
    return out.getvalue()
