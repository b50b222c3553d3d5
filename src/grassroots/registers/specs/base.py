"""What a register is: its columns, how a row is parsed and checked, how the rows are written and how
the register is exported. The engine (``registers/engine.py``) drives these steps for every register.

The steps of an import, for each chunk of rows:

1. ``parse(row, cells)``: clean each cell (no database); raise ``RowInvalid`` with every problem.
2. ``resolve(records)``: batch look-ups for the whole chunk (areas by code, persons by blind index…).
3. ``check(record)``: what needs those look-ups: scope, existence, duplicates in the file or the database.

and once every row is clean, ``write(records)`` inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import Scope
from grassroots.areas.models import Area, Level
from grassroots.core import crypto
from grassroots.core.i18n import source_text
from grassroots.people.models import Person

from .. import cells

T = TypeVar("T")
CHUNK = 500  # codes per ``IN (…)`` query: well under SQLite's variable limit


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    hint: str = ""  # one line for the template's instructions sheet
    choices: tuple[str, ...] = ()  # a drop-down list in the template
    sensitive: str = ""  # "id_number" or "phone": values are masked in error messages
    as_text: bool = False  # long digit strings: the template formats the column as text
    width: int = 14


@dataclass(frozen=True)
class CellError:
    row: int | None  # as Excel shows it; None for a problem with the whole file
    column: str  # the header, "表头", or "" for the whole file
    value: str  # truncated, and masked for ID numbers and phones
    message: str  # the whole sentence, in Chinese

    @classmethod
    def at(cls, row: int | None, column: Column | str, raw: Any, problem: str) -> CellError:
        header = column.header if isinstance(column, Column) else column
        value = _shown(raw, column.sensitive if isinstance(column, Column) else "")
        where = f"第{row}行「{header}」" if row and header else (f"第{row}行" if row else "文件")
        message = f"{where}：{problem}"
        if value:
            message += f"。填写的是“{value}”"
        return cls(row=row, column=header, value=value, message=message)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def _shown(raw: Any, sensitive: str) -> str:
    if sensitive == "id_number":
        value = crypto.normalize(cells.text(raw))
        return crypto.mask_id_number(value) if len(value) >= 14 else cells.shown(raw)
    if sensitive == "phone":
        value = crypto.normalize(cells.text(raw))
        return crypto.mask_phone(value) if len(value) >= 10 else cells.shown(raw)
    return cells.shown(raw)


@dataclass
class Record:
    """One parsed row. ``failed`` names the cells that did not parse: such a record is still checked
    (so that every problem of the file is reported at once) but never written."""

    row: int
    failed: frozenset[str] = field(default=frozenset(), kw_only=True)

    def usable(self, *keys: str) -> bool:
        """True when each of these cells parsed and is not empty."""
        return all(key not in self.failed and getattr(self, key, None) not in (None, "") for key in keys)


R = TypeVar("R", bound=Record)


class RowInvalid(Exception):
    def __init__(self, errors: list[CellError], record: Record | None = None):
        super().__init__(errors[0].message if errors else "")
        self.errors = errors
        self.record = record


class WriteRefused(Exception):
    """A service refused a row while writing (the data changed after validation)."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


class RowReader:
    """Cleans the cells of one row, collecting every problem instead of stopping at the first."""

    def __init__(self, row: int, values: Mapping[str, Any], columns: Mapping[str, Column]):
        self.row = row
        self.values = values
        self.columns = columns
        self.errors: list[CellError] = []
        self.failed: set[str] = set()

    def is_blank(self, key: str) -> bool:
        return cells.text(self.values.get(key)) == ""

    def get(self, key: str, clean: Callable[..., T], **options: Any) -> T | None:
        column, raw = self.columns[key], self.values.get(key)
        if cells.text(raw) == "":
            if column.required:
                self.fail(key, f"不能为空，请填写{column.header}")
            return None
        try:
            return clean(raw, **options)
        except cells.CellProblem as problem:
            self.fail(key, str(problem))
            return None

    def fail(self, key: str, problem: str) -> None:
        self.failed.add(key)
        self.errors.append(CellError.at(self.row, self.columns[key], self.values.get(key), problem))

    def done(self, record: R) -> R:
        """The record, or RowInvalid carrying every problem and the partial record."""
        record.failed = frozenset(self.failed)
        if self.errors:
            raise RowInvalid(self.errors, record)
        return record


@dataclass(frozen=True)
class AreaRef:
    id: int
    code: str
    level: str
    name: str
    parent_id: int | None
    rural: bool


LEVEL_LABELS = {choice.value: source_text(choice.label) for choice in Level}
OUT_OF_SCOPE = "编码{code}不存在或不在您的管辖范围内，请核对编码"


@dataclass
class ImportContext:
    """What one import knows: who imports, where they may, and caches of batch look-ups."""

    user: Any
    scope: Scope
    job_id: int | None = None
    areas: dict[str, AreaRef] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)
    _missing: set[str] = field(default_factory=set)
    _no_person: set[str] = field(default_factory=set)
    _seen: dict[tuple[str, Any], int] = field(default_factory=dict)

    def can_import_at(self, code: str) -> bool:
        return self.scope.can_at(Capability.MANAGE_REGISTERS, code)

    def load_areas(self, codes: Iterable[str]) -> None:
        todo = sorted({c for c in codes if c and c not in self.areas and c not in self._missing})
        for part in chunked(todo):
            for row in Area.objects.filter(code__in=part).values(
                "id", "code", "level", "name", "parent_id", "rural"
            ):
                self.areas[row["code"]] = AreaRef(**row)
        self._missing.update(c for c in todo if c not in self.areas)

    def area_problem(self, code: str, *, level: str | None) -> str | None:
        """Why ``code`` cannot be used here as an area of ``level`` (it must be loaded first)."""
        ref = self.areas.get(code)
        if ref is None or not self.can_import_at(code):
            return OUT_OF_SCOPE.format(code=code)
        if level is not None and ref.level != level:
            return (f"编码{code}是{LEVEL_LABELS[ref.level]}「{ref.name}」，"
                    f"这里应填写{LEVEL_LABELS[level]}的编码")
        return None

    def load_persons(self, persons: Iterable[Any]) -> None:
        """Batch look-up of persons (``PersonCells``: ``index`` and, while a data-key rotation runs, the
        previous keys' ``indexes``) into ``person_ids``, by the current key's index."""
        aliases = {i: p.index for p in persons if p.index and p.index not in self.person_ids
                   and p.index not in self._no_person for i in (p.indexes or (p.index,))}
        for part in chunked(sorted(aliases)):
            rows = Person.objects.filter(id_number_index__in=part).values_list("id_number_index", "id")
            self.person_ids.update((aliases[stored], pk) for stored, pk in rows)
        self._no_person.update(i for i in aliases.values() if i not in self.person_ids)

    def first_row(self, kind: str, key: Any, row: int) -> int | None:
        """The row where ``key`` of ``kind`` was first seen in this file, or None (and remember it)."""
        previous = self._seen.get((kind, key))
        if previous is None:
            self._seen[(kind, key)] = row
        return previous


class Register:
    """One register: subclasses set the class attributes and implement the steps."""

    key: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    view_capability: ClassVar[str]
    notes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: ImportContext | None = None):
        self.ctx = ctx

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    @classmethod
    def column_map(cls) -> dict[str, Column]:
        return {c.key: c for c in cls.columns}

    def reader(self, row: int, values: Mapping[str, Any]) -> RowReader:
        return RowReader(row, values, self.column_map())

    def error(self, row: int, key: str, raw: Any, problem: str) -> CellError:
        return CellError.at(row, self.column_map()[key], raw, problem)

    # --- the steps -------------------------------------------------------------------------------
    def parse(self, row: int, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def resolve(self, records: Sequence[Any]) -> None:
        """Batch look-ups for a chunk of parsed records (optional)."""

    def check(self, record: Any) -> list[CellError]:
        return []

    def write(self, records: Sequence[Any]) -> dict[str, int]:
        """Write every record (inside the caller's transaction); return counts, with ``created``."""
        raise NotImplementedError

    def write_each(self, records: Sequence[Any], write_one: Callable[[Any], object]) -> int:
        """Call a service per record; a refusal names its row (and rolls the whole import back)."""
        for record in records:
            try:
                write_one(record)
            except ValidationError as exc:
                raise WriteRefused(record.row, "；".join(exc.messages)) from exc
        return len(records)

    def export_rows(self, user) -> Iterable[list[Any]]:
        """The rows the user may see, in the template's column order, ID numbers and phones masked."""
        raise NotImplementedError


def labels_for(choices: Iterable[tuple[str, str]], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings → code: each Chinese label (and its NFKC form), plus ``extra`` aliases.

    The labels are the models' source (Chinese) labels even in an English session."""
    import unicodedata

    out: dict[str, str] = {}
    for code, label in choices:
        out[unicodedata.normalize("NFKC", source_text(label)).replace(" ", "")] = code
    out.update(extra or {})
    return out
