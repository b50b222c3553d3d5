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


def conditions(params: KpiSettings, now: datetime) -> dict[str, Q]:
    """What each counter counts, as a filter on Case (``received`` counts every row)."""
    counted = ~Q(status__in=EXCLUDED_STATUSES)
    replied = counted & Q(replied_at__isnull=False)
    late_replied = replied & (Q(overdue=True) | Q(deadline__isnull=False, replied_at__gt=F("deadline")))
    late_open = counted & Q(replied_at__isnull=True) & (
        Q(overdue=True) | (Q(deadline__lt=now) & ~Q(status=S.PARKED)))
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
        "overdue": late_replied | late_open,
        "reopened": replied & Q(reopen_count__gt=0),
    }


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
    reply_hours: list[float] = field(default_factory=list, repr=False)
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
        return statistics.median(self.reply_hours) if self.reply_hours else None

    @property
    def composite(self) -> float | None:
        """The weighted score in [0, 1]; None unless all three rates are defined."""
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        if any(r is None for r in rates):
            return None
        return sum(w * r for w, r in zip(self.weights, rates, strict=True))

    def add(self, other: Kpi) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reply_hours.extend(other.reply_hours)

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in ("key", "name", "rank", *COUNTERS)}
        out.update(counted=self.counted, response_rate=self.response_rate,
                   resolution_rate=self.resolution_rate, satisfaction_rate=self.satisfaction_rate,
                   on_time_rate=self.on_time_rate, reopen_rate=self.reopen_rate,
                   median_reply_hours=self.median_reply_hours, composite=self.composite)
        return out


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
    def order(k: Kpi):
        score = k.composite
        return (score is None, -(score or 0), -(k.resolution_rate or 0), -k.received, k.key)

    ordered = sorted(rows, key=order)
    previous, position = None, 0
    for i, k in enumerate(ordered, start=1):
        score = None if k.composite is None else round(k.composite, 9)
        if score is None:
            k.rank = None
            continue
        if score != previous:
            position, previous = i, score
        k.rank = position
    return ordered


RATE_FIELDS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "reopen_rate")
COUNTER_FIELDS = tuple(f.name for f in fields(Kpi) if f.name in COUNTERS)
