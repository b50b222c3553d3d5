"""The import engine: validate every row of a sheet (in chunks, with batch look-ups and progress),
then write them all. It knows nothing of jobs; ``services.import_job_run`` drives it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .reader import SheetRow
from .specs.base import CellError, Record, Register, RowInvalid

CHUNK_ROWS = 1000


@dataclass
class Validation:
    records: list[Any] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(register: Register, rows: Sequence[SheetRow], *, progress: Callable[[int], None] | None = None,
             chunk: int | None = None) -> Validation:
    """Every row parsed and checked; every problem collected (nothing is written).

    A row with a bad cell is still checked on its other cells (scope, duplicates…), so that one run
    reports everything that is wrong with the file; such a row is never among the clean records.
    """
    result = Validation()
    chunk = chunk or CHUNK_ROWS
    headers = {c.key: c.header for c in register.columns}
    for start in range(0, len(rows), chunk):
        parsed = _parse(register, rows[start:start + chunk], result.errors)
        if parsed:
            register.resolve(parsed)
        for record in parsed:
            problems = register.check(record)
            if record.failed:
                failed = {headers[key] for key in record.failed}
                result.errors.extend(p for p in problems if p.column not in failed)
            elif problems:
                result.errors.extend(problems)
            else:
                result.records.append(record)
        if progress is not None:
            progress(min(start + chunk, len(rows)))
    result.errors.sort(key=lambda e: (e.row or 0))
    return result


def _parse(register: Register, rows: Sequence[SheetRow], errors: list[CellError]) -> list[Record]:
    """Parsed records, the partial ones (with ``failed`` cells) included; their problems go to ``errors``."""
    parsed = []
    for row in rows:
        try:
            parsed.append(register.parse(row.number, row.values))
        except RowInvalid as exc:
            errors.extend(exc.errors)
            if exc.record is not None:
                parsed.append(exc.record)
    return parsed
