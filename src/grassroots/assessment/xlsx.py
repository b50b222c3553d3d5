"""The ranking as an .xlsx file: Chinese headers, the period and the formulas with the district's
weights above the table, the definitions on a second sheet. Rates are numbers (formatted as
percentages) so that the sheet can be sorted and summed; a rate that cannot be computed is “—”.
Text starting with “=” is written as text, never as a formula.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .kpis import Kpi
from .selectors import Ranking

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASH = "—"
PERCENT, SCORE, HOURS = "0.0%", "0.00", "0.0"
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF4E5")

# (header, how to read it from a row, number format, column width)
COLUMNS: list[tuple[str, Any, str, int]] = [
    ("排名", lambda k: k.rank, "", 6),
    ("名称", lambda k: k.name, "", 22),
    ("上报件数", lambda k: k.received, "", 9),
    ("不予受理及合并", lambda k: k.excluded, "", 10),
    ("计入考核件数", lambda k: k.counted, "", 10),
    ("按时响应件数", lambda k: k.responded, "", 10),
    ("响应率", lambda k: k.response_rate, PERCENT, 9),
    ("已解决件数", lambda k: k.resolved, "", 9),
    ("解决率", lambda k: k.resolution_rate, PERCENT, 9),
    ("已评价件数", lambda k: k.rated, "", 9),
    ("满意", lambda k: k.satisfied, "", 7),
    ("基本满意", lambda k: k.basic, "", 8),
    ("不满意", lambda k: k.unsatisfied, "", 7),
    ("满意率", lambda k: k.satisfaction_rate, PERCENT, 9),
    ("按时答复件数", lambda k: k.on_time, "", 10),
    ("超时件数", lambda k: k.overdue, "", 9),
    ("按时办结率", lambda k: k.on_time_rate, PERCENT, 10),
    ("重办件数", lambda k: k.reopened, "", 9),
    ("重办率", lambda k: k.reopen_rate, PERCENT, 9),
    ("答复用时中位数（小时）", lambda k: k.median_reply_hours, HOURS, 12),
    ("综合得分（百分制）", lambda k: None if k.composite is None else k.composite * 100, SCORE, 12),
]
UNIT_COLUMNS: list[tuple[str, Any, str, int]] = [
    ("单位类型", lambda k: k.extra.get("kind", ""), "", 14),
    ("协办任务数", lambda k: k.extra.get("assist_tasks", 0), "", 10),
    ("协办按时回复数", lambda k: k.extra.get("assist_on_time", 0), "", 12),
    ("协办按时回复率", lambda k: k.extra.get("assist_on_time_rate"), PERCENT, 12),
]
DEFINITIONS = [
    ("统计范围", "统计区间内上报（受理登记）的诉求，按上报时间（北京时间）计；区间含开始日期、不含结束日期。"
                 "各项按诉求的当前办理情况计算，近期区间的数字会随办理进度变化。"),
    ("计入考核件数", "上报件数减去“不予受理”和“已合并”的诉求；它们不计入任何比率的分母。"),
    ("响应率", "上报后在响应时限内被受理、就地办理或接单（首次响应）的诉求 ÷ 计入考核件数。"),
    ("解决率", "已核实的诉求，加上已办结且评价不是“不满意”的诉求（含未评价办结） ÷ 计入考核件数。"),
    ("满意率", "（满意 + 折算系数 × 基本满意） ÷ 已评价件数；以最近一次评价为准。"),
    ("按时办结率", "按时答复件数 ÷ （按时答复件数 + 超时件数）。按时：已答复、未标记超时且答复不晚于时限。"
                   "超时：标记为超时，或答复晚于时限，或至今未答复且已过时限（挂账中的除外）。"),
    ("重办率", "曾重办（不满意重办或派单人重办）的诉求 ÷ 已答复件数。"),
    ("答复用时中位数", "已答复诉求从上报到最近一次答复的自然小时数的中位数。"),
    ("综合得分", "响应率、解决率、满意率的加权和，乘以100为百分制；三项中任一项无法计算时不计得分。"),
    ("承办单位", "诉求计入当前承办单位；转派后计入新单位，退单后在重新派单前不计入任何单位；"
                 "吹哨诉求计入牵头单位，协办单位另计协办任务及其按时回复率。"),
    ("“—”", "没有可计算的诉求（分母为0），不是0%。"),
]


def _value(value: Any) -> Any:
    return DASH if value is None else value


def _write_row(sheet, row: int, values: list[Any], formats: list[str], *, fill=None, bold=False) -> None:
    for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
        cell = sheet.cell(row=row, column=col, value=_value(value))
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, never a formula
        if fmt and value is not None:
            cell.number_format = fmt
        if fill is not None:
            cell.fill = fill
        if bold:
            cell.font = Font(bold=True)


def ranking_xlsx(ranking: Ranking, *, title: str, units: bool = False) -> bytes:
    columns = COLUMNS + (UNIT_COLUMNS if units else [])
    book = Workbook()
    sheet = book.active
    sheet.title = "排名"
    now = timezone.localtime()
    head = [
        title,
        f"统计区间：{ranking.period.label}（按上报时间，北京时间）",
        ranking.params.formula_text(),
        f"不予受理、已合并的诉求不计入各项比率的分母；“—”表示没有可计算的诉求。导出时间：{now:%Y-%m-%d %H:%M}",
    ]
    for i, text in enumerate(head, start=1):
        cell = sheet.cell(row=i, column=1, value=text)
        cell.font = Font(bold=True, size=13) if i == 1 else Font(color="444444")
    header_row = len(head) + 2
    for col, (header, _get, _fmt, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=col, value=header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    formats = [fmt for _h, _g, fmt, _w in columns]

    def values(k: Kpi) -> list[Any]:
        return [get(k) for _h, get, _f, _w in columns]

    row = header_row + 1
    total = values(ranking.totals)
    total[0] = "本级"
    _write_row(sheet, row, total, formats, fill=TOTAL_FILL, bold=True)
    for k in ranking.rows:
        row += 1
        _write_row(sheet, row, values(k), formats)
    if ranking.unplaced is not None:
        row += 1
        extra = values(ranking.unplaced)
        extra[0] = "—"
        _write_row(sheet, row, extra, formats)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    notes = book.create_sheet("计算口径")
    notes.append(["指标", "定义"])
    for cell in notes[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    notes.append(["本区县参数", ranking.params.formula_text()])
    for name, text in DEFINITIONS:
        notes.append([name, text])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 100
    for line in notes.iter_rows(min_row=2):
        line[1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
