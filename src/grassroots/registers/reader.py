"""Reading an uploaded .xlsx: find the header row, check it against the register's columns, and
return the non-blank data rows with their Excel row numbers. Formulas and error cells are refused
cell by cell; a file that is not an .xlsx, is empty or too long is refused as a whole."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl

from .cells import text
from .specs.base import CellError, Register

log = logging.getLogger(__name__)

MAX_ROWS = 200_000
EXCEL_MAX_ROW = 1_048_576
HEADER_SEARCH_ROWS = 10
MAX_HEADER_COLUMNS = 60
NOT_XLSX = ("文件不是 Excel .xlsx 格式，或已损坏，无法读取。请用 Excel 或 WPS 打开后"
            "「另存为」→「Excel 工作簿 (*.xlsx)」，再重新上传（不支持 .xls、.csv 和设置了密码的文件）")


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``message`` says why and what to do."""

    def __init__(self, message: str, *, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column

    def as_error(self) -> CellError:
        where = f"第{self.row}行（表头）：" if self.row else "文件："
        return CellError(row=self.row, column=self.column, value="", message=where + self.message)


@dataclass
class SheetRow:
    number: int  # as Excel shows it
    values: dict[str, Any]  # column key → raw cell value


@dataclass
class Sheet:
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)  # formulas and error cells


def normalize_header(value: Any) -> str:
    value = unicodedata.normalize("NFKC", text(value))
    return "".join(value.split()).replace("*", "")


def read_sheet(source: IO[bytes] | str, register: type[Register]) -> Sheet:
    """The data rows of the first worksheet, or FileProblem."""
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception as exc:  # a zip that is not a workbook raises many kinds of errors
        log.info("unreadable upload: %r", exc)
        raise FileProblem(NOT_XLSX) from None
    try:
        if not book.worksheets:
            raise FileProblem("文件中没有工作表，请使用下载的模板")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        header_row, mapping = _header(sheet, register)
        return _rows(sheet, header_row, mapping, register)
    except FileProblem:
        raise
    except Exception as exc:  # damaged XML inside the zip
        log.info("damaged upload: %r", exc)
        raise FileProblem(NOT_XLSX) from None
    finally:
        book.close()


def _header(sheet, register: type[Register]) -> tuple[int, dict[str, int]]:
    expected = register.headers()
    first_found: tuple[int, list[str]] | None = None
    for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_HEADER_COLUMNS,
                                                 values_only=True), start=1):
        found = [normalize_header(v) for v in row]
        if not any(found):
            continue
        first_found = first_found or (number, found)
        if sum(1 for h in expected if h in found) >= max(1, len(expected) // 2):
            return number, _mapping(number, found, register)
    if first_found is None:
        raise FileProblem("文件是空的，没有找到表头和数据。请在下载的模板中填写后上传")
    number, found = first_found
    raise FileProblem(_header_message(expected, found), row=number, column="表头")


def _mapping(number: int, found: list[str], register: type[Register]) -> dict[str, int]:
    expected = register.headers()
    named = [h for h in found if h]
    if sorted(named) != sorted(expected):
        raise FileProblem(_header_message(expected, found), row=number, column="表头")
    by_header = {h: i for i, h in enumerate(found) if h}
    return {c.key: by_header[c.header] for c in register.columns}


def _header_message(expected: list[str], found: list[str]) -> str:
    named = [h for h in found if h]
    missing = [h for h in expected if h not in named]
    extra = [h for h in named if h not in expected]
    twice = sorted({h for h in named if named.count(h) > 1})
    parts = [f"表头与模板不一致。应为：{'、'.join(expected)}；实际为：{'、'.join(named) or '（空）'}"]
    if missing:
        parts.append(f"缺少：{'、'.join(missing)}")
    if extra:
        parts.append(f"多出：{'、'.join(extra)}")
    if twice:
        parts.append(f"重复：{'、'.join(twice)}")
    if other := _register_with_headers(named):
        return "；".join(parts) + f"。这是「{other}」台账的文件，请到「{other}」台账处上传"
    return "；".join(parts) + "。请下载最新模板，把数据粘贴到对应的列中"


def _register_with_headers(named: list[str]) -> str | None:
    from .specs import REGISTERS

    for register in REGISTERS.values():
        if sorted(register.headers()) == sorted(named):
            return register.label
    return None


def _rows(sheet, header_row: int, mapping: dict[str, int], register: type[Register]) -> Sheet:
    result = Sheet()
    headers = {c.key: c.header for c in register.columns}
    width = max(mapping.values()) + 1
    for number, cells in _numbered(sheet, header_row + 1, width):
        if all(c.value is None or text(c.value) == "" for c in cells):
            continue
        if len(result.rows) + 1 > MAX_ROWS:
            raise FileProblem(f"文件的数据超过{MAX_ROWS:,}行，一次最多导入{MAX_ROWS:,}行，请拆分成几个文件分别导入")
        bad = _bad_cells(number, cells, mapping, headers)
        if bad:
            result.errors.extend(bad)
            continue
        result.rows.append(SheetRow(number, {key: cells[i].value for key, i in mapping.items()}))
    return result


def _numbered(sheet, first: int, width: int) -> Iterator[tuple[int, tuple]]:
    for number, cells in enumerate(sheet.iter_rows(min_row=first, max_col=width), start=first):
        if number > EXCEL_MAX_ROW:
            raise FileProblem(f"文件的行数超过 Excel 的上限（{EXCEL_MAX_ROW:,}行），文件可能已损坏")
        yield number, cells


def _bad_cells(number: int, cells: tuple, mapping: dict[str, int], headers: dict[str, str]) -> list[CellError]:
    errors = []
    for key, i in mapping.items():
        cell = cells[i]
        if cell.data_type == "f":
            errors.append(CellError.at(number, headers[key], cell.value,
                                       "不支持公式，请复制这一列后用「选择性粘贴 → 数值」粘贴为数值"))
        elif cell.data_type == "e":
            errors.append(CellError.at(number, headers[key], cell.value, "单元格是错误值，请改为正确的内容"))
    return errors
