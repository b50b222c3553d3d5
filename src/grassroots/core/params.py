"""The bounds of what a client may ask for — pages, offsets, ids, years — checked in one place.

A page number of 2⁶³ or an id of 2⁶⁴ is not a question about the data: the database cannot even take
it (SQLite: "datatype mismatch", PostgreSQL: "bigint out of range"). The API's parameters use these
types, so such a request is refused with a 422 and a Chinese message before any query:

    from grassroots.core.params import DbId, BoundedPages
    @paginate(BoundedPages, page_size=50)
    def residents(request, org: DbId | None = None): ...

Dates typed by a person (a filter's "from", a period's start, a deadline) are read by ``bounded_date``
— or, in a Django form, by ``BoundedDateField`` — so year 1 or 9999 is refused with a Chinese message
instead of overflowing later (a period's end a month after 9999-12-31, a Shanghai midnight of year 1 in
UTC). Weeks ("0001-W01") use ``bounded_year``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

ID_MAX = 2**63 - 1  # the largest id a BIGINT column holds (PostgreSQL and SQLite)
PAGE_MAX = 100_000  # pages beyond this are refused: no list is browsed that far (filter instead)
OFFSET_MAX = 10_000_000
YEAR_MIN, YEAR_MAX = 1900, 2200

DbId = Annotated[int, Field(ge=1, le=ID_MAX)]
Page = Annotated[int, Field(ge=1, le=PAGE_MAX)]
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX)]


class BoundedPages(PageNumberPagination):
    """ninja's page-number pagination with the page bounded (ninja's own stops only below 1)."""

    class Input(Schema):
        page: Page = 1
        page_size: Annotated[int, Field(ge=1, le=500)] | None = None


def bounded_year(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def _year_message(label: str, day: date) -> str:
    return f"{label}“{day.isoformat()}”超出范围：年份应在 {YEAR_MIN}–{YEAR_MAX} 年之间"


def _bounded(raw, *, label: str, parse, form: str, width: int):
    """``parse(text)`` of a request's value, None when empty; refused with the Chinese message when it does
    not parse (``form``: what it should look like) or its year is outside YEAR_MIN..YEAR_MAX."""
    text = (raw or "").strip() if isinstance(raw, str) else str(raw or "").strip()
    if not text:
        return None
    try:
        value = parse(text)
    except ValueError:
        raise ValidationError(f"{label}“{text[:width]}”格式不对，应为 {form}", code="invalid") from None
    if not bounded_year(value.year):
        day = value.date() if isinstance(value, datetime) else value
        raise ValidationError(_year_message(label, day), code="out_of_range")
    return value


def bounded_date(raw, *, label: str = "日期") -> date | None:
    """The date a request names (``2026-03-01``; a ``date`` passes through), None when left empty.

    Raises ValidationError with a Chinese message when it is no date or its year is outside
    YEAR_MIN..YEAR_MAX: the one reader of dates from query strings and hand-read form fields."""
    if isinstance(raw, date):
        if not bounded_year(raw.year):
            raise ValidationError(_year_message(label, raw), code="out_of_range")
        return raw
    return _bounded(raw, label=label, parse=date.fromisoformat, form="YYYY-MM-DD，如 2026-03-01", width=20)


def bounded_datetime(raw, *, label: str = "时间") -> datetime | None:
    """A moment typed in a form (``2026-03-01T09:30``, as the browser's datetime-local sends it), None
    when left empty; naive unless the text carries an offset. Refused like ``bounded_date``."""
    return _bounded(raw, label=label, parse=datetime.fromisoformat, form="YYYY-MM-DD HH:MM，如 2026-03-01 09:30",
                    width=25)


class BoundedDateField(forms.DateField):
    """A form's date whose year lies in YEAR_MIN..YEAR_MAX (a filter of year 1 is refused, not run);
    the message, shown under the field, names the date, not the label."""

    def validate(self, value):
        super().validate(value)
        if value and not bounded_year(value.year):
            raise ValidationError(_year_message("日期", value), code="out_of_range")
