"""What the outline tests share: a small outline to give every place, and ``Watch``, which records the
outlines of districts, streets and communities a page reads, and the areas it reads one by one.

``Area.objects`` leaves ``boundary`` unread (areas/models.py); a real district's is hundreds of kilobytes.
A page may still read it two ways: a join (``select_related`` of an area reads every column, unless the
query is wrapped in ``outlines_unread``), or row by row (a deferred outline, or an area not joined, loaded
on first use: one query per row). tests/areas/test_outlines_unread.py asks the pages without a path
parameter over a bare tree, tests/scope/test_outlines_with_args.py every page and API read over the scope
matrix's world; both use this.
"""

from __future__ import annotations

import re
import traceback
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.areas.models import Area

BIG = ("district", "street", "community")
# One area by its id, the outline or not ("%s" as CaptureQueriesContext shows a parameter on SQLite)
ONE_AREA = re.compile(r'FROM "areas_area" WHERE "areas_area"\."id" = (%s|\d+)')
ONE_BY_ONE_LIMIT = 3  # more areas than this read one by one in one request is a read per row


def outline(lng: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat]]]}


class Watch:
    """While open: which outline of a district, street or community each request read (``loaded``, with
    where in the code: the failure names the query to wrap in ``outlines_unread``), and which paths read
    more than ``ONE_BY_ONE_LIMIT`` areas one by one (``one_by_one``). Routes in ``draws`` are pages whose
    answer is the outlines themselves. ``shown``: the routes that answered 200."""

    def __init__(self, draws: frozenset[str] | set[str] = frozenset()) -> None:
        self.draws = draws
        self.route = ""
        self.loaded: list[str] = []
        self.one_by_one: dict[str, int] = {}
        self.shown: set[str] = set()

    def __enter__(self) -> Watch:
        original = Area.from_db.__func__
        watch = self

        def from_db(cls, db, field_names, values):
            obj = original(cls, db, field_names, values)
            if "boundary" in field_names and obj.level in BIG and watch.route not in watch.draws:
                frames = [f for f in traceback.extract_stack() if "/src/grassroots/" in f.filename]
                where = " < ".join(f"{f.filename.split('/src/grassroots/')[1]}:{f.lineno}" for f in frames[-3:][::-1])
                watch.loaded.append(f"{watch.route} ({obj.level} {obj.code}) {where}".strip())
            return obj

        self._patch = mock.patch.object(Area, "from_db", classmethod(from_db))
        self._patch.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._patch.__exit__(*exc)

    def get(self, client, path: str, query: dict | None = None, *, route: str = ""):
        """``client.get(path)``, watched; ``route`` names it in ``loaded`` and ``shown`` (the path if not given)."""
        self.route = route or path
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, query or {})
        if response.status_code == 200:
            self.shown.add(self.route)
        count = sum(1 for q in ctx.captured_queries if ONE_AREA.search(q["sql"]))
        if count > ONE_BY_ONE_LIMIT:
            self.one_by_one[path] = count
        return response
