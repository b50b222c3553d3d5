"""Writing .xlsx files: the blank template of a register, an export, and a job's error list.

Values that Excel would take for a formula (text starting with “=”) are written as text, so an
export can never run a formula that someone typed into a name or an address.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .reader import MAX_ROWS
from .specs.base import Register

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C8102E")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def template_bytes(register: type[Register]) -> bytes:
    """An empty sheet with the header row (required columns in red), text-formatted code columns,
    drop-downs for choice columns, and a second sheet explaining each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = register.label
    for i, column in enumerate(register.columns, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.comment = Comment(("必填。" if column.required else "选填。") + column.hint, "grassroots")
        sheet.column_dimensions[letter].width = column.width
        if column.as_text:
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            _dropdown(sheet, letter, column.choices)
    sheet.freeze_panes = "A2"
    _notes_sheet(book.create_sheet("填写说明"), register)
    return _save(book)


def _dropdown(sheet, letter: str, choices: Sequence[str]) -> None:
    rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                          showErrorMessage=False)
    rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(rule)


def _notes_sheet(sheet, register: type[Register]) -> None:
    sheet.append([f"{register.label}台账填写说明"])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in (*register.notes,
                 "表头（第一行）请勿修改；红色列为必填。空行会被跳过；不支持公式，请粘贴为数值。",
                 "导入时先检查全部行：只要有一处错误，就一条也不导入，并列出每个错误所在的行、列和改法。",
                 f"一个文件最多{MAX_ROWS:,}行。导出的身份证号和手机号是脱敏的，不能直接再导入。"):
        sheet.append([line])
    sheet.append([])
    sheet.append(["列名", "是否必填", "填写说明"])
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
    for column in register.columns:
        sheet.append([column.header, "必填" if column.required else "选填", column.hint])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 90
    for row in sheet.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")


class Sheet(NamedTuple):
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()  # column widths, first column first (Excel's default where not given)


def rows_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook (streamed, so tens of thousands of rows stay cheap)."""
    return sheets_bytes([Sheet(title, headers, rows)])


def sheets_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of one sheet per ``Sheet``, each with a bold, frozen header row (streamed)."""
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for i, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, h, bold=True) for h in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
    return _save(book)


def _cell(sheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = HEADER_FONT
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
