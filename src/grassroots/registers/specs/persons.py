"""Columns and checks shared by the registers of people (residents, Party members, grid staff)."""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.core import crypto

from .. import cells
from .base import Column, ImportContext, RowReader

NAME = Column("姓名", "name", required=True, hint="最多50个字", width=10)
ID_NUMBER = Column("身份证号", "id_number", required=True, sensitive="id_number", as_text=True, width=22,
                   hint="18位居民身份证号，最后一位可以是X；请把该列设置为「文本」格式，以免 Excel 改掉后几位")


def phone_column(*, required: bool = False) -> Column:
    return Column("手机号", "phone", required=required, sensitive="phone", as_text=True, width=14,
                  hint="11位手机号，或带区号的固定电话" + ("" if required else "；可以不填"))


@dataclass
class PersonCells:
    name: str
    id_number: str
    index: str  # the blind index of the ID number (the current data key's)
    phone: str
    indexes: tuple[str, ...] = ()  # every data key's index, to look the person up while a key rotation runs


def read_person(reader: RowReader) -> PersonCells:
    name = reader.get("name", cells.plain_text, max_len=50) or ""
    id_number = reader.get("id_number", cells.id_number) or ""
    phone = reader.get("phone", cells.phone) or ""
    indexes = tuple(crypto.blind_indexes(id_number))
    return PersonCells(name=name, id_number=id_number, index=indexes[0] if indexes else "", phone=phone,
                       indexes=indexes)


def duplicate_in_file(ctx: ImportContext, *, kind: str, key: object, row: int) -> str | None:
    """The problem when the same person appears a second time in the file."""
    if not key or isinstance(key, tuple) and not all(key):
        return None
    previous = ctx.first_row(kind, key, row)
    if previous is not None:
        return f"与第{previous}行的身份证号重复，同一人只能登记一次，请删除重复的行"
    return None
