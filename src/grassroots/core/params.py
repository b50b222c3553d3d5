"""The bounds of what a client may ask for — pages, offsets, ids, years — checked in one place.

A page number of 2⁶³ or an id of 2⁶⁴ is not a question about the data: the database cannot even take
it (SQLite: "datatype mismatch", PostgreSQL: "bigint out of range"). The API's parameters use these
types, so such a request is refused with a 422 and a Chinese message before any query:

    from grassroots.core.params import DbId, BoundedPages
    @paginate(BoundedPages, page_size=50)
    def residents(request, org: DbId | None = None): ...

Pages use ``bounded_year`` for dates typed by a person (a week "0001-W01", a date "0001-01-01").
"""

from __future__ import annotations

from typing import Annotated

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
