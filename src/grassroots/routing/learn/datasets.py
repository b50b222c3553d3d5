"""Reading labelled messages from a file: JSON lines, CSV or Excel (.xlsx).

The text columns (default ``title,body``): the first is the title, the others are joined as the
body. Every problem raises ``DataError`` with a message (in Chinese, as the platform speaks) naming
the file, the line or row, the column, and what to do.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from .classifier import Sample

TEXT_COLUMNS = ("title", "body")
LABEL_COLUMN = "label"


class DataError(ValueError):
    pass


def read_samples(path: str | Path, *, text_columns: Sequence[str] = TEXT_COLUMNS,
                 label_column: str = LABEL_COLUMN, require_label: bool = True) -> list[Sample]:
    path = Path(path)
    text_columns = [c.strip() for c in text_columns if c.strip()]
    if not text_columns:
        raise DataError("--text-columns 为空：请写出正文所在的列，例如 --text-columns title,body")
    if not path.is_file():
        raise DataError(f"文件 {path} 不存在：请检查路径")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        records = _jsonl(path)
    elif suffix == ".csv":
        records = _csv(path)
    elif suffix == ".xlsx":
        records = _xlsx(path)
    else:
        raise DataError(f"文件 {path} 的格式 {suffix or '（无扩展名）'} 不支持：请使用 .jsonl、.csv 或 .xlsx")
    wanted = [*text_columns, label_column]
    samples = []
    for where, record, columns in records:
        if columns is not None:  # a table: check the header once
            missing = [c for c in wanted if c not in columns]
            if missing:
                raise DataError(f"文件 {path} 的表头缺少列 {'、'.join(missing)}（现有列：{'、'.join(columns) or '无'}）："
                                f"请用 --text-columns 和 --label-column 指定列名")
            continue
        missing = [c for c in wanted if c not in record]
        if missing:
            raise DataError(f"文件 {path} {where} 缺少字段 {'、'.join(missing)}：每条记录都要有 "
                            f"{'、'.join(wanted)}（或用 --text-columns / --label-column 指定字段名）")
        texts = [_cell(record.get(c)) for c in text_columns]
        label = _cell(record.get(label_column))
        if not any(texts):
            raise DataError(f"文件 {path} {where} 的 {'、'.join(text_columns)} 都为空：请填写留言内容或删除该行")
        if require_label and not label:
            raise DataError(f"文件 {path} {where} 的 {label_column} 列为空：请填写类别或删除该行")
        samples.append(Sample(texts[0], "\n".join(t for t in texts[1:] if t), label))
    if not samples:
        raise DataError(f"文件 {path} 没有任何数据行：请检查文件内容")
    return samples


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _jsonl(path: Path) -> Iterator[tuple[str, dict, None]]:
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"文件 {path} 第 {number} 行不是有效的 JSON（第 {exc.colno} 列附近）："
                            f"每行应是一个 JSON 对象，如 {{\"title\": …, \"body\": …, \"label\": …}}") from None
        if not isinstance(record, dict):
            raise DataError(f"文件 {path} 第 {number} 行不是 JSON 对象：每行应是 {{\"title\": …, \"label\": …}}")
        yield f"第 {number} 行", record, None


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise DataError(f"文件 {path} 不是 UTF-8 编码：请另存为 UTF-8") from None


def _csv(path: Path) -> Iterator[tuple[str, dict, list[str] | None]]:
    rows = csv.reader(_lines(path))
    header = [h.strip() for h in next(rows, [])]
    yield "表头", {}, header
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield f"第 {number} 行", dict(zip(header, row, strict=False)), None


def _xlsx(path: Path) -> Iterator[tuple[str, dict, list[str] | None]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a file that is not a workbook
        raise DataError(f"文件 {path} 不是有效的 .xlsx 工作簿：请用 Excel/WPS 另存为 .xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(h) for h in next(rows, ())]
        yield "表头", {}, header
        for number, row in enumerate(rows, start=2):
            if not any(_cell(v) for v in row):
                continue
            yield f"第 {number} 行（工作表 {sheet.title}）", dict(zip(header, row, strict=False)), None
    finally:
        workbook.close()
