import io

import openpyxl

MARCH_Q = "start=2026-03-01&end=2026-04-01"


def sheet_rows(content: bytes, sheet: int = 0) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def sheet_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(" ".join("" if v is None else str(v) for v in r)
                     for ws in book.worksheets for r in ws.iter_rows(values_only=True))
