"""Reading a 12345 export: .xlsx (openpyxl) or .csv in UTF-8 or GBK (real hotline exports are often
GBK), with the header row found among the first rows (exports often start with a title row).

``read_table`` returns the headers and a generator of (row number as the user sees it, cells); a
file that cannot be read raises ``FileProblem`` with a Chinese sentence saying what to do.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import openpyxl

from grassroots.core.crypto import mask_numbers
from grassroots.registers.cells import text
from grassroots.registers.reader import FileProblem, normalize_header

log = logging.getLogger(__name__)

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 80
HEADER_SEARCH_ROWS = 10
PREVIEW_ROWS = 5
PREVIEW_CHARS = 60
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 reads GBK and GB2312 too
ENCODING_LABELS = {"utf-8-sig": "UTF-8", "gb18030": "GBK"}
NOT_READABLE = ("文件无法读取：请上传 12345 系统导出的 Excel（.xlsx）或 CSV 文件。旧版 .xls 请用 Excel 或 WPS "
                "「另存为」→「Excel 工作簿 (*.xlsx)」后再上传")


@dataclass
class Table:
    kind: str  # xlsx | csv
    encoding: str  # csv only
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def upload_kind(upload) -> str:
    """"xlsx" or "csv" for an upload that may be read, or FileProblem saying why not."""
    if not upload.size:
        raise FileProblem("文件是空的，请选择 12345 系统导出的工单文件")
    if upload.size > UPLOAD_MAX_BYTES:
        raise FileProblem(f"文件太大（{upload.size / 1024 / 1024:.1f} MB），一个文件最大 "
                          f"{UPLOAD_MAX_BYTES // 1024 // 1024} MB，请按日期拆分后分别导入")
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head == _ZIP:
        return "xlsx"
    if head == _OLE:
        raise FileProblem("这是旧版 .xls 文件（或设置了密码的文件）。请在 Excel 或 WPS 中「另存为」"
                          "Excel 工作簿 (*.xlsx) 或 CSV 后上传")
    if b"\x00" in upload.read(4096):
        upload.seek(0)
        raise FileProblem(NOT_READABLE)
    upload.seek(0)
    return "csv"


def read_table(source: IO[bytes], kind: str, encoding: str = "") -> Table:
    if kind == "xlsx":
        return _xlsx_table(source)
    return _csv_table(source.read(), encoding)


# --- csv --------------------------------------------------------------------------------------


def decode(content: bytes, encoding: str = "") -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else GBK/GB18030."""
    for candidate in ([encoding] if encoding else ENCODINGS):
        try:
            return content.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise FileProblem("文件的文字编码无法识别（不是 UTF-8，也不是 GBK）。请用 Excel 打开后另存为"
                      "「CSV UTF-8」或 Excel 工作簿 (*.xlsx) 再上传")


def _csv_table(content: bytes, encoding: str) -> Table:
    body, encoding = decode(content, encoding)
    sample = body[:16384]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    if csv.field_size_limit() < UPLOAD_MAX_BYTES:  # a cell may be long: the row check says how long
        csv.field_size_limit(UPLOAD_MAX_BYTES)
    try:
        records = list(csv.reader(io.StringIO(body, newline=""), dialect))
    except csv.Error as exc:
        raise FileProblem(f"CSV 文件格式有误（{exc}），请用 Excel 打开检查后另存为 CSV 或 .xlsx") from None
    numbered = ((n, row) for n, row in enumerate(records, start=1))
    return _table("csv", encoding, numbered)


# --- xlsx -------------------------------------------------------------------------------------


def _xlsx_table(source: IO[bytes]) -> Table:
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook raises many kinds of errors
        log.info("unreadable hotline upload: %r", exc)
        raise FileProblem(NOT_READABLE) from None
    if not book.worksheets:
        raise FileProblem("文件中没有工作表")
    sheet = book.worksheets[0]
    sheet.reset_dimensions()

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for n, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                yield n, list(row)
        except FileProblem:
            raise
        except Exception as exc:  # damaged XML inside the zip
            log.info("damaged hotline upload: %r", exc)
            raise FileProblem(NOT_READABLE) from None
        finally:
            book.close()

    return _table("xlsx", "", numbered())


# --- both -------------------------------------------------------------------------------------


def _blank(row: list[Any]) -> bool:
    return all(text(v) == "" for v in row)


def _table(kind: str, encoding: str, numbered: Iterator[tuple[int, list[Any]]]) -> Table:
    """Find the header row (the first of the first rows that fills at least half as many cells as
    the fullest of them: a title row above the table fills one) and number the data rows after it."""
    head: list[tuple[int, list[Any]]] = []
    for n, row in numbered:
        if not _blank(row):
            head.append((n, row[:MAX_COLUMNS]))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not head:
        raise FileProblem("文件是空的，没有找到表头和工单数据")
    fullest = max(sum(1 for v in row if text(v)) for _, row in head)
    need = max(2, (fullest + 1) // 2)
    index = next(i for i, (_, row) in enumerate(head) if sum(1 for v in row if text(v)) >= need
                 or sum(1 for v in row if text(v)) == fullest)
    header_row, header_cells = head[index]
    headers = unique_headers(header_cells)
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        count = 0
        for n, row in itertools.chain(head[index + 1:], numbered):
            if _blank(row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileProblem(f"文件超过{MAX_ROWS:,}行工单，请按日期拆分成几个文件分别导入")
            yield n, list(row[:width]) + [None] * (width - len(row))

    return Table(kind=kind, encoding=encoding, header_row=header_row, headers=headers, rows=rows())


def unique_headers(cells: list[Any]) -> list[str]:
    """Header texts, trailing empty cells dropped, empty ones named by position, repeats numbered."""
    names = [normalize_header(v) for v in cells]
    while names and not names[-1]:
        names.pop()
    out: list[str] = []
    for i, name in enumerate(names, start=1):
        name = name or f"（第{i}列）"
        base, k = name, 2
        while name in out:
            name, k = f"{base}（{k}）", k + 1
        out.append(name)
    return out


def preview_rows(table: Table, limit: int = PREVIEW_ROWS) -> list[list[str]]:
    """The first data rows as short texts, for the mapping page. Phone and ID numbers are masked:
    the preview is stored with the job, outside the encrypted columns."""
    out = []
    for _n, row in table.rows:
        out.append([_short(mask_numbers(text(v))) for v in row])
        if len(out) >= limit:
            break
    return out


def _short(value: str) -> str:
    return value if len(value) <= PREVIEW_CHARS else value[:PREVIEW_CHARS] + "…"
