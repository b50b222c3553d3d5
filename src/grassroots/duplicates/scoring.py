"""Pure scoring for the duplicate finder (no Django): how alike two requests' texts are, how far
apart their places are, and which of a list of open requests are "the same as" a new one.

    scorer = Scorer.default()                      # IDF from the shipped labelled messages
    scorer.similarity("3栋电梯坏了", "3栋的电梯又坏了")   # cosine in [0, 1]
    matches(query, others, rules=Rules(), scorer=scorer)  # → [Match(...)], best first

Text similarity is the larger of two measures over character 2- and 3-grams, both from
``grassroots.text.TextVectors.compare`` (Chinese needs no word segmentation for this: a re-worded
complaint keeps most of its bigrams — place names, the object, the fault): the cosine of sub-linear
TF-IDF vectors, and the IDF-weighted share of the shorter text's n-grams found in the longer one (a
short second report of a long first one). Both are symmetric. The vocabulary is open (hashed), so a
word the IDF corpus never saw still counts, with the highest weight. Polite openings and closings (您好, 尊敬的领导,
谢谢) are removed before counting; the IDF pushes down what every message says anyway (A市, 小区,
反映).

One rule the n-grams cannot see: "3栋电梯坏了" and "8栋电梯坏了" are different matters that share
almost every n-gram. When both texts name buildings or units (3栋, 8号楼, 2单元) and no number is
shared, the similarity is multiplied by ``Rules.number_conflict_factor``.

A candidate must be within ``radius_m`` (haversine distance; when a point is missing on either side,
the same grid counts as near, with an unknown distance), within ``window_days`` of the query's
time, and at least ``threshold`` similar. It is *strong* at ``strong_threshold``: the intake then
holds the case back from automatic dispatch.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from grassroots.text import TextVectors

EARTH_RADIUS_M = 6_371_008.8
GRID_CODE_LENGTH = 15

POLITE = re.compile(
    r"(尊敬的[^，,。：:！!]{0,12}[：:，,]?|[各]?位?领导[们]?[：:，,]?|您好[！!，,。]?|你好[！!，,。]?"
    r"|谢谢[您你]?[们]?[！!。]?|感谢[您你]?[们]?[！!。]?|麻烦[您你]?了|辛苦了|此致敬礼|望领导[^，。！]{0,8}|请领导[^，。！]{0,8})")
# Anything that is not a letter or a digit (punctuation, spaces, emoji) is dropped.
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
CN_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")}
PLACE_NUMBER = re.compile(r"([0-9]+|[零一二三四五六七八九十]+)\s*(栋|幢|号楼|座|楼栋|单元)")
UNIT_WORDS = {"单元"}


COUNTED = re.compile(r"([零一二三四五六七八九十]+)(栋|幢|号楼|座|楼栋|单元|层|楼|天|周|个月|年|次|户|辆|棵)")


# Where it is, the distance measures: estate names and building/unit numbers leave the text, so that
# two problems at one address are not "similar" for sharing the address (numbers are compared apart).
ESTATE = re.compile(r"[\u4e00-\u9fa5a-z0-9]{1,6}?(?:小区|花园|新村|家园|公寓|大厦|苑)")
BUILDING = re.compile(r"[0-9]+(?:栋|幢|号楼|座|楼栋|单元|号)")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, counted Chinese numerals as digits (三栋 → 3栋), no
    estate names or building numbers, no polite phrases, no punctuation or spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = COUNTED.sub(lambda m: _cn_number(m.group(1)) + m.group(2), text)
    text = BUILDING.sub(" ", ESTATE.sub(" ", text))
    text = POLITE.sub(" ", text)
    return NON_WORD.sub("", text)


def _cn_number(value: str) -> str:
    if value.isdigit():
        return str(int(value))
    if value == "十":
        return "10"
    if "十" in value:  # 十二 → 12, 二十 → 20, 二十三 → 23
        tens, _, ones = value.partition("十")
        return str(int(CN_DIGITS.get(tens, "1")) * 10 + int(CN_DIGITS.get(ones, "0") if ones else 0))
    return "".join(CN_DIGITS.get(c, c) for c in value)


CACHED_CHARS = 500  # texts up to this long are remembered: at most 4,096 × 500 characters (≤ 8 MB) a process


def place_numbers(text: str) -> frozenset[str]:
    """The building and unit numbers a text names: "3栋2单元" → {"b3", "u2"} (Chinese numerals too).
    The finder asks this of the same open cases' texts for every new case near them, so short texts'
    answers are kept; a longer text (rare, up to the 4,000 characters a case holds) is read again."""
    text = text or ""
    return _kept_place_numbers(text) if len(text) <= CACHED_CHARS else _place_numbers(text)


def _place_numbers(text: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", text)
    return frozenset(("u" if m.group(2) in UNIT_WORDS else "b") + _cn_number(m.group(1))
                     for m in PLACE_NUMBER.finditer(text))


_kept_place_numbers = lru_cache(maxsize=4096)(_place_numbers)


def numbers_conflict(a: str, b: str) -> bool:
    """Both texts name buildings (or both units), and none in common: most likely two different
    buildings (stairwells)."""
    na, nb = place_numbers(a), place_numbers(b)
    for kind in "bu":
        ka, kb = {n for n in na if n[0] == kind}, {n for n in nb if n[0] == kind}
        if ka and kb and not (ka & kb):
            return True
    return False


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box that contains every point within ``radius_m``
    (a cheap SQL pre-filter; the exact distance is checked afterwards)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * coslat)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


@dataclass(frozen=True)
class Rules:
    """What makes two requests "the same": editable per district (``DuplicateSettings``)."""

    radius_m: float = 250.0
    window_days: float = 14.0
    threshold: float = 0.25
    strong_threshold: float = 0.35
    number_conflict_factor: float = 0.2


class Scorer:
    """Character 2–3-gram TF-IDF cosine and containment (``grassroots.text``). ``idf_corpus``: texts
    the IDF is learned from (none: every n-gram weighs the same)."""

    def __init__(self, idf_corpus: Iterable[str] = ()):
        corpus = [t for t in idf_corpus if t]
        self.vectors = TextVectors(ngrams=(2, 3), prepare=normalize, open_vocabulary=True).fit(corpus or [""])
        self.corpus_size = len(corpus)

    @classmethod
    def default(cls) -> Scorer:
        """The scorer with the IDF of the messages the product ships (``routing/data``)."""
        return _default_scorer()

    def similarities(self, query: str, texts: Sequence[str], *, conflict_factor: float = 0.2) -> list[float]:
        """Similarity of ``query`` to each of ``texts``, in [0, 1]: the larger of the TF-IDF cosine
        and the IDF-weighted containment of the shorter text's n-grams in the longer one's (a second
        resident often writes two lines about what the first wrote a page on)."""
        cosine, contained = self.vectors.compare(query, texts)
        out = []
        for text, cos, con in zip(texts, cosine, contained, strict=True):
            sim = float(max(cos, con))
            if numbers_conflict(query, text):
                sim *= conflict_factor
            out.append(round(sim, 4))
        return out

    def similarity(self, a: str, b: str, *, conflict_factor: float = 0.2) -> float:
        return self.similarities(a, [b], conflict_factor=conflict_factor)[0]


@lru_cache(maxsize=1)
def _default_scorer() -> Scorer:
    from .corpus import idf_texts

    return Scorer(idf_texts())


# --- matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A request as the finder sees it: its text, point (or None), time and grid code."""

    id: int
    text: str
    at: datetime
    lat: float | None = None
    lng: float | None = None
    grid: str = ""  # the grid's code (15 digits) when the request is placed in a grid


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    distance_m: float | None  # None: no point on one side, same grid
    hours: float
    strong: bool


def distance_between(a: Item, b: Item) -> float | None:
    if None not in (a.lat, a.lng, b.lat, b.lng):
        return haversine_m(a.lat, a.lng, b.lat, b.lng)  # type: ignore[arg-type]
    return None


def near(a: Item, b: Item, radius_m: float) -> tuple[bool, float | None]:
    """(whether a and b are close enough, their distance if both have a point)."""
    d = distance_between(a, b)
    if d is not None:
        return d <= radius_m, d
    same_grid = len(a.grid) >= GRID_CODE_LENGTH and a.grid[:GRID_CODE_LENGTH] == b.grid[:GRID_CODE_LENGTH]
    return same_grid, None


def matches(query: Item, others: Iterable[Item], *, rules: Rules = Rules(), scorer: Scorer | None = None,
            limit: int = 5) -> list[Match]:
    """The ``others`` that look like the same request as ``query``, best first (score, then distance)."""
    scorer = scorer or Scorer.default()
    window = timedelta(days=rules.window_days)
    close: list[tuple[Item, float | None]] = []
    for other in others:
        if other.id == query.id or abs(other.at - query.at) > window:
            continue
        ok, d = near(query, other, rules.radius_m)
        if ok:
            close.append((other, d))
    sims = scorer.similarities(query.text, [o.text for o, _ in close], conflict_factor=rules.number_conflict_factor)
    found = [Match(id=o.id, score=s, distance_m=None if d is None else round(d, 1),
                   hours=round(abs((o.at - query.at).total_seconds()) / 3600, 1),
                   strong=s >= rules.strong_threshold)
             for (o, d), s in zip(close, sims, strict=True) if s >= rules.threshold]
    found.sort(key=lambda m: (-m.score, m.distance_m if m.distance_m is not None else rules.radius_m, m.id))
    return found[:limit]


def is_duplicate(a: Item, b: Item, *, rules: Rules = Rules(), scorer: Scorer | None = None) -> tuple[bool, float]:
    """The finder's decision on one pair (for the evaluation): (same request?, text similarity)."""
    scorer = scorer or Scorer.default()
    sim = scorer.similarity(a.text, b.text, conflict_factor=rules.number_conflict_factor)
    ok, _ = near(a, b, rules.radius_m)
    in_time = abs(a.at - b.at) <= timedelta(days=rules.window_days)
    return ok and in_time and sim >= rules.threshold, sim
