"""The import engine: validate every row of a sheet (in chunks, with batch look-ups and progress),
then write them all. It knows nothing of jobs; ``services.import_job_run`` drives it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .reader import SheetRow
from .specs.base import CellError, Register, RowInvalid

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
    """Every row parsed and checked; every problem collected (nothing is written)."""
    result = Validation()
    chunk = chunk or CHUNK_ROWS
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        parsed = _parse(register, part, result.errors)
        if parsed:
            register.resolve(parsed)
        for record in parsed:
            problems = register.check(record)
            if problems:
                result.errors.extend(problems)
            else:
                result.records.append(record)
        if progress is not None:
            progress(start + len(part))
    result.errors.sort(key=lambda e: (e.row or 0))
    return result


def _parse(register: Register, rows: Sequence[SheetRow], errors: list[CellError]) -> list[Any]:
    parsed = []
    for row in rows:
        try:
            parsed.append(register.parse(row.number, row.values))
        except RowInvalid as exc:
            errors.extend(exc.errors)
    return parsed
