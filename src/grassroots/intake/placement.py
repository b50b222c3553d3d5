"""Where a case from another system lies: coordinates → the grid; else an area code or name → that
area; else the address matched to a building (or a 小区/grid) when only one fits; else the fallback
team (the importer's street, or the district: 兜底).

A ``Gazetteer`` holds the district's streets, communities, grids and buildings in memory, so that a
file of thousands of rows is placed without a query per row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from grassroots.areas.geo import GridLocateError, check_coordinates, grid_index
from grassroots.areas.models import Area, Level

PLACE_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)
_SEPARATORS = re.compile(r"[/>＞|｜\\→]+")
_SPACES = re.compile(r"\s+")

HOW_LABELS = {
    "coordinates": _("坐标定位到网格"),
    "area": _("按区域编码/名称"),
    "building": _("地址匹配到楼栋"),
    "grid_name": _("地址匹配到小区/网格"),
    "fallback": _("未能定位，兜底"),
}


class PlaceProblem(ValueError):
    """A location that is given but wrong; ``field`` is "coordinates" or "area"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Placement:
    area: Area | None  # None: only the district is known
    lat: float | None
    lng: float | None
    district_code: str
    how: str
    note: str = ""  # why an earlier way did not work (shown as a hint, not an error)


def norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return _SPACES.sub("", text)


@dataclass
class _Place:
    code: str
    name: str
    level: str
    path: str  # names from the street down, joined without separators
    address: str = ""


@dataclass
class Gazetteer:
    district: Area
    places: dict[str, _Place] = field(default_factory=dict)
    areas_by_code: dict[str, Area] = field(default_factory=dict)
    building_names: dict[str, list[str]] = field(default_factory=dict)
    grid_names: dict[str, list[str]] = field(default_factory=dict)
    name_lengths: tuple[int, ...] = ()
    _name_cache: dict = field(default_factory=dict, repr=False)
    _address_cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, district: Area) -> Gazetteer:
        gaz = cls(district=district)
        rows = (Area.objects.filter(code__startswith=district.code)
                .filter(level__in=[*PLACE_LEVELS, Level.BUILDING]).order_by("code"))
        for area in rows:
            parent = gaz.places.get(area.code[:-3])
            path = (parent.path if parent else "") + norm(area.name)
            place = _Place(area.code, norm(area.name), area.level, path, norm(area.address))
            gaz.places[area.code] = place
            gaz.areas_by_code[area.code] = area
            if area.level == Level.BUILDING:
                gaz.building_names.setdefault(place.name, []).append(area.code)
                if place.address:
                    gaz.building_names.setdefault(place.address, []).append(area.code)
            elif area.level == Level.GRID and len(place.name) >= 2:
                gaz.grid_names.setdefault(place.name, []).append(area.code)
        lengths = {len(n) for n in gaz.building_names} | {len(n) for n in gaz.grid_names}
        gaz.name_lengths = tuple(sorted(n for n in lengths if n >= 2))
        return gaz

    # --- the steps ----------------------------------------------------------------------------

    def by_coordinates(self, lat: Any, lng: Any) -> tuple[str | None, float, float]:
        """(grid code or None, lat, lng); PlaceProblem for coordinates that are not coordinates."""
        try:
            lat_f, lng_f = check_coordinates(lat, lng)
        except GridLocateError as exc:
            raise PlaceProblem("coordinates", str(exc)) from None
        code = next((c for c in grid_index().locate_codes(lat_f, lng_f) if c.startswith(self.district.code)),
                    None)
        return (code if code in self.places else None), lat_f, lng_f

    def by_area_text(self, text: Any) -> tuple[str | None, str]:
        """(area code, "") or (None, why not); PlaceProblem for a code that does not exist here."""
        raw = norm(text)
        if not raw:
            return None, ""
        if raw.isdigit():
            if raw in self.places and self.places[raw].level in PLACE_LEVELS + (Level.BUILDING,):
                return raw, ""
            if raw == self.district.code:
                return None, ""
            raise PlaceProblem("area", f"区域编码“{raw}”在{self.district.name}（{self.district.code}）中不存在，"
                                       "请核对编码，或改填街道/社区/网格名称，或留空")
        return self._match_name(raw)

    def _match_name(self, raw: str) -> tuple[str | None, str]:
        if raw not in self._name_cache:
            self._name_cache[raw] = self._match_name_uncached(raw)
        return self._name_cache[raw]

    def _match_name_uncached(self, raw: str) -> tuple[str | None, str]:
        joined = _SEPARATORS.sub("", raw).removeprefix(norm(self.district.name))
        if not joined:
            return None, ""
        hits = [p.code for p in self.places.values()
                if p.level in PLACE_LEVELS and (p.path == joined or p.path.endswith(joined))]
        if len(hits) == 1:
            return hits[0], ""
        if not hits:
            return None, f"区域“{raw}”与本区的街道、社区、网格名称都对不上"
        names = "、".join(self.places[c].path for c in hits[:3])
        return None, f"区域“{raw}”对应多个地方（{names}），请写上级名称，如“街道/社区/网格”"

    def by_address(self, address: str) -> tuple[str | None, str, str]:
        """(code, how, why not): the one building, else the one 小区/grid, whose name is in the address."""
        if address not in self._address_cache:
            self._address_cache[address] = self._by_address_uncached(address)
        return self._address_cache[address]

    def _by_address_uncached(self, address: str) -> tuple[str | None, str, str]:
        text = norm(address)
        if not text:
            return None, "", ""
        buildings = self._names_in(text, self.building_names)
        if len(buildings) > 1:  # "3栋" is in many grids: keep those whose grid or community is named too
            named = [c for c in buildings if self._parent_named(c, text)]
            buildings = named if named else buildings
        if len(buildings) == 1:
            return buildings[0], "building", ""
        grids = self._names_in(text, self.grid_names)
        if len(grids) == 1:
            return grids[0], "grid_name", ""
        if buildings or grids:
            return None, "", f"地址“{address}”可对应多个楼栋或小区，无法确定是哪一个"
        return None, "", ""

    def _names_in(self, text: str, names: dict[str, list[str]]) -> list[str]:
        """Codes of the names found in ``text``; a name found only inside a longer one ("2栋" in
        "12栋") does not count."""
        spans = [(start, start + size) for size in self.name_lengths
                 for start in range(0, len(text) - size + 1) if text[start:start + size] in names]
        kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
        found: list[str] = []
        for start, end in kept:
            for code in names[text[start:end]]:
                if code not in found:
                    found.append(code)
        return found

    def _parent_named(self, code: str, text: str) -> bool:
        for length in (15, 12):
            parent = self.places.get(code[:length])
            if parent and len(parent.name) >= 2 and parent.name in text:
                return True
        return False

    # --- all together -------------------------------------------------------------------------

    def place(self, *, lat: Any = None, lng: Any = None, area_text: Any = None, address: str = "",
              fallback: Area | None = None) -> Placement:
        notes: list[str] = []
        lat_f = lng_f = None
        if _given(lat) or _given(lng):
            if not (_given(lat) and _given(lng)):
                raise PlaceProblem("coordinates", "经度和纬度要同时填写（只填了一个）")
            code, lat_f, lng_f = self.by_coordinates(lat, lng)
            if code:
                return Placement(self.areas_by_code[code], lat_f, lng_f, self.district.code[:6], "coordinates")
            notes.append(f"坐标（纬度 {lat_f}，经度 {lng_f}）不在本区任何网格内")
        code, why = self.by_area_text(area_text)
        if code:
            return Placement(self.areas_by_code[code], lat_f, lng_f, self.district.code[:6], "area",
                             "；".join(notes))
        if why:
            notes.append(why)
        code, how, why = self.by_address(address or "")
        if code:
            return Placement(self.areas_by_code[code], lat_f, lng_f, self.district.code[:6], how,
                             "；".join(notes))
        if why:
            notes.append(why)
        team = fallback if fallback is not None and fallback.level != Level.DISTRICT else None
        # Without an area the coordinates cannot be kept: case_receive would try to place them again.
        return Placement(team, lat_f if team else None, lng_f if team else None, self.district.code[:6],
                         "fallback", "；".join(notes))


def _given(value: Any) -> bool:
    return value is not None and norm(value) != ""
