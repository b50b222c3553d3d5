"""The 接诉即办 KPIs of a set of cases, computed in the database (docs/kpi.md has the definitions).

One aggregate query counts every figure at once, grouped by a key (an area-code prefix or the unit
holding the case): conditional ``Count(filter=Q(...))``, which Django writes as ``FILTER (WHERE …)``
on PostgreSQL and as ``CASE WHEN`` on SQLite, so both give the same numbers. The median time to
reply is taken from a values list of the replied cases (one pair of timestamps each).

The cohort is the cases *received* in the period (the caller filters ``created_at``); a case's
current state counts, so figures for a recent period still move as its cases are handled.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from django.db.models import Count, Expression, F, Q, QuerySet

from grassroots.cases.models import Case, Rating

from .models import KpiSettings

S = Case.Status
EXCLUDED_STATUSES = (S.REJECTED, S.MERGED)  # not a public matter / a duplicate: not in any denominator

COUNTERS = ("received", "excluded", "responded", "resolved", "rated", "satisfied", "basic", "unsatisfied",
            "replied", "on_time", "overdue", "reopened")


# Hours from report to reply, the bounds of the rollups' histogram (rh0: under 1 h … rh13: 720 h or more).
REPLY_BUCKETS = (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 360, 720)
BUCKETS = tuple(f"rh{i}" for i in range(len(REPLY_BUCKETS) + 1))


def bucket_of(hours: float) -> int:
    i = 0
    while i < len(REPLY_BUCKETS) and hours >= REPLY_BUCKETS[i]:
        i += 1
    return i


def histogram_median(buckets: list[int]) -> float | None:
    """The median hours estimated from the histogram: linear within the bucket that holds it."""
    total = sum(buckets)
    if not total:
        return None
    half, seen = total / 2, 0
    for i, n in enumerate(buckets):
        if n and seen + n >= half:
            lo = REPLY_BUCKETS[i - 1] if i else 0
            hi = REPLY_BUCKETS[i] if i < len(REPLY_BUCKETS) else 2 * REPLY_BUCKETS[-1]
            return lo + (hi - lo) * (half - seen) / n
        seen += n
    return None


def stored_conditions(params: KpiSettings) -> dict[str, Q]:
    """What each counter the rollups keep counts, as a filter on Case: the conditions that change only
    when the case row changes. ``overdue`` here is the flagged or late-replied part; an open case whose
    deadline passed before the sweep flagged it is added at read time (``late_open``)."""
    counted = ~Q(status__in=EXCLUDED_STATUSES)
    replied = counted & Q(replied_at__isnull=False)
    late_replied = replied & (Q(overdue=True) | Q(deadline__isnull=False, replied_at__gt=F("deadline")))
    limit = timedelta(hours=params.response_hours)
    return {
        "excluded": Q(status__in=EXCLUDED_STATUSES),
        "responded": counted & Q(responded_at__isnull=False, responded_at__lte=F("created_at") + limit),
        "resolved": counted & (Q(status=S.VERIFIED) | (Q(status=S.CLOSED) & ~Q(rating=Rating.UNSATISFIED))),
        "rated": counted & ~Q(rating=""),
        "satisfied": counted & Q(rating=Rating.SATISFIED),
        "basic": counted & Q(rating=Rating.BASIC),
        "unsatisfied": counted & Q(rating=Rating.UNSATISFIED),
        "replied": replied,
        "on_time": replied & Q(overdue=False) & (Q(deadline__isnull=True) | Q(replied_at__lte=F("deadline"))),
        "overdue": late_replied | (counted & Q(replied_at__isnull=True, overdue=True)),
        "reopened": replied & Q(reopen_count__gt=0),
        "open": counted & ~Q(status__in=(S.VERIFIED, S.CLOSED)),
        **{name: replied & _bucket_q(i) for i, name in enumerate(BUCKETS)},
    }


def _bucket_q(i: int) -> Q:
    q = Q()
    if i:
        q &= Q(replied_at__gte=F("created_at") + timedelta(hours=REPLY_BUCKETS[i - 1]))
    if i < len(REPLY_BUCKETS):
        q &= Q(replied_at__lt=F("created_at") + timedelta(hours=REPLY_BUCKETS[i]))
    return q


def late_open(now: datetime) -> Q:
    """Not replied, not flagged yet, and its deadline passed (a parked case's limit is suspended): the
    part of ``overdue`` that changes with the clock, not with the row. Such a case is running (a
    verified or closed case has been replied), and the partial index ``case_late_unflagged`` holds
    only those: the rollups' query of it is the size of the backlog, not of the history."""
    return (~Q(status__in=(*EXCLUDED_STATUSES, S.PARKED))
            & Q(replied_at__isnull=True, overdue=False, deadline__lt=now))


def conditions(params: KpiSettings, now: datetime) -> dict[str, Q]:
    """What each counter counts, as a filter on Case (``received`` counts every row)."""
    out = stored_conditions(params)
    for name in ("open", *BUCKETS):
        out.pop(name)
    out["overdue"] = out["overdue"] | late_open(now)
    return out


def contribution(row: dict, *, response_hours: int) -> dict[str, int]:
    """The stored counters one case adds, read from its fields (``cases.hooks.SNAPSHOT_FIELDS``): the
    same rules as ``stored_conditions``, in Python, for the rollups' incremental update."""
    status, rating = row["status"], row["rating"]
    counted = status not in EXCLUDED_STATUSES
    replied_at, deadline = row["replied_at"], row["deadline"]
    replied = counted and replied_at is not None
    responded_at = row["responded_at"]
    late_replied = replied and (row["overdue"] or (deadline is not None and replied_at > deadline))
    out = {
        "received": 1,
        "excluded": int(not counted),
        "responded": int(counted and responded_at is not None
                         and responded_at <= row["created_at"] + timedelta(hours=response_hours)),
        "resolved": int(counted and (status == S.VERIFIED or (status == S.CLOSED and rating != Rating.UNSATISFIED))),
        "rated": int(counted and rating != ""),
        "satisfied": int(counted and rating == Rating.SATISFIED),
        "basic": int(counted and rating == Rating.BASIC),
        "unsatisfied": int(counted and rating == Rating.UNSATISFIED),
        "replied": int(replied),
        "on_time": int(replied and not row["overdue"] and (deadline is None or replied_at <= deadline)),
        "overdue": int(late_replied or (counted and replied_at is None and row["overdue"])),
        "reopened": int(replied and row["reopen_count"] > 0),
        "open": int(counted and status not in (S.VERIFIED, S.CLOSED)),
        **dict.fromkeys(BUCKETS, 0),
    }
    if replied:
        out[BUCKETS[bucket_of((replied_at - row["created_at"]).total_seconds() / 3600)]] = 1
    return out


STORED = ("received", "excluded", "responded", "resolved", "rated", "satisfied", "basic", "unsatisfied",
          "replied", "on_time", "overdue", "reopened", "open", *BUCKETS)


def _ratio(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Kpi:
    """The figures of one row (an area, a unit, or a level's own total)."""

    key: str
    name: str = ""
    factor: float = 0.9  # 基本满意 counts as this much of a 满意
    weights: tuple[float, float, float] = (0.1, 0.5, 0.4)
    received: int = 0
    excluded: int = 0
    responded: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    replied: int = 0
    on_time: int = 0
    overdue: int = 0
    reopened: int = 0
    open: int = 0  # received and not yet verified or closed (rollups only; not a KPI of docs/kpi.md)
    reply_hours: list[float] = field(default_factory=list, repr=False)  # exact, when read from the cases
    reply_buckets: list[int] = field(default_factory=list, repr=False)  # the rollups' histogram
    rank: int | None = None
    extra: dict = field(default_factory=dict)  # e.g. a unit's kind, its assisting whistle tasks

    @property
    def counted(self) -> int:
        """The denominator of the response and resolution rates: received minus rejected and merged."""
        return self.received - self.excluded

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.responded, self.counted)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.counted)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied + self.factor * self.basic, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.on_time + self.overdue)

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.reopened, self.replied)

    @property
    def median_reply_hours(self) -> float | None:
        """Exact from the replied cases' hours when read; else estimated from the rollups' histogram."""
        if self.reply_hours:
            return statistics.median(self.reply_hours)
        return histogram_median(self.reply_buckets) if self.reply_buckets else None

    @property
    def median_estimated(self) -> bool:
        return not self.reply_hours and bool(self.reply_buckets) and sum(self.reply_buckets) > 0

    @property
    def composite(self) -> float | None:
        """The weighted score in [0, 1]; None unless all three rates are defined."""
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        if any(r is None for r in rates):
            return None
        return sum(w * r for w, r in zip(self.weights, rates, strict=True))

    @classmethod
    def from_sums(cls, sums: dict, key: str = "", **params) -> Kpi:
        """A row of figures from summed rollup counters (``STORED``; the histogram as ``reply_buckets``)."""
        row = cls(key=key, **params)
        for name in STORED:
            if name not in BUCKETS:
                setattr(row, name, sums.get(name) or 0)
        row.reply_buckets = [sums.get(name) or 0 for name in BUCKETS]
        return row

    def add(self, other: Kpi) -> None:
        for name in (*COUNTERS, "open"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reply_hours.extend(other.reply_hours)
        self.reply_buckets = _add(self.reply_buckets, other.reply_buckets, 1)

    def subtract(self, other: Kpi) -> None:
        for name in (*COUNTERS, "open"):
            setattr(self, name, getattr(self, name) - getattr(other, name))
        self.reply_buckets = _add(self.reply_buckets, other.reply_buckets, -1)

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in ("key", "name", "rank", *COUNTERS)}
        out.update(counted=self.counted, response_rate=self.response_rate,
                   resolution_rate=self.resolution_rate, satisfaction_rate=self.satisfaction_rate,
                   on_time_rate=self.on_time_rate, reopen_rate=self.reopen_rate,
                   median_reply_hours=self.median_reply_hours, composite=self.composite)
        return out


def _add(a: list[int], b: list[int], sign: int) -> list[int]:
    if not b:
        return a
    a = a or [0] * len(b)
    return [x + sign * y for x, y in zip(a, b, strict=True)]


def _params_of(params: KpiSettings) -> dict:
    return {"factor": float(params.basic_factor), "weights": tuple(float(w) for w in params.weights)}


def _hours(start: datetime, stop: datetime) -> float:
    return (stop - start).total_seconds() / 3600


def compute(cases: QuerySet[Case], *, params: KpiSettings, now: datetime, key: Expression | str | None = None,
            normalize: Callable[[str], str] = str) -> dict[str, Kpi]:
    """The KPIs of ``cases`` per value of ``key`` (None: one row, key ""). ``normalize`` maps each
    group key to the row it belongs to (rows whose keys map together are added up)."""
    conds = conditions(params, now)
    counters = {"received": Count("pk"), **{name: Count("pk", filter=q) for name, q in conds.items()}}
    common = _params_of(params)
    rows: dict[str, Kpi] = {}

    def row(raw) -> Kpi:
        k = normalize("" if raw is None else str(raw))
        if k not in rows:
            rows[k] = Kpi(key=k, **common)
        return rows[k]

    cases = cases.order_by()
    if key is None:
        row(None).add(Kpi(key="", **cases.aggregate(**counters)))
        replied = cases.filter(conds["replied"]).values_list("created_at", "replied_at")
        row(None).reply_hours.extend(_hours(a, b) for a, b in replied)
        return rows
    if isinstance(key, str):
        key = F(key)
    grouped = cases.annotate(_k=key).values("_k").annotate(**counters)
    for values in grouped:
        raw = values.pop("_k")
        row(raw).add(Kpi(key="", **values))
    hours: dict[str, list[float]] = defaultdict(list)
    for raw, a, b in cases.filter(conds["replied"]).annotate(_k=key).values_list("_k", "created_at",
                                                                                  "replied_at"):
        hours[raw].append(_hours(a, b))
    for raw, values in hours.items():
        row(raw).reply_hours.extend(values)
    return rows


def rank(rows: list[Kpi]) -> list[Kpi]:
    """Best composite first (rows without one last); equal composites share a rank (1, 2, 2, 4)."""
    scores = {id(k): k.composite for k in rows}

    def order(k: Kpi):
        score = scores[id(k)]
        return (score is None, -(score or 0), -(k.resolution_rate or 0), -k.received, k.key)

    ordered = sorted(rows, key=order)
    previous, position = None, 0
    for i, k in enumerate(ordered, start=1):
        score = None if scores[id(k)] is None else round(scores[id(k)], 9)
        if score is None:
            k.rank = None
            continue
        if score != previous:
            position, previous = i, score
        k.rank = position
    return ordered


RATE_FIELDS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "reopen_rate")
COUNTER_FIELDS = tuple(f.name for f in fields(Kpi) if f.name in COUNTERS)
