"""One tree of places: district → street → community → grid → building → household.

Rural trees use town → village → villager group with the same levels (``rural=True``).

The ``code`` is both the stable administrative code and the materialized path: the district's
6-digit code, then 3 digits per street, community, grid and building and 4 per household, so every
code starts with the codes of all its ancestors and "everything under this street" is one indexed
``code LIKE '420303001%'`` query.
"""

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

models.CharField.register_lookup(Length)

CODE_WIDTHS = {"district": 6, "street": 3, "community": 3, "grid": 3, "building": 3, "household": 4}


class Level(models.TextChoices):
    DISTRICT = "district", _("区/县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格/小区")
    BUILDING = "building", _("楼栋")
    HOUSEHOLD = "household", _("户")


LEVEL_ORDER = [choice.value for choice in Level]
RURAL_LABELS = {"street": _("乡镇"), "community": _("村"), "grid": _("村民小组")}
CODE_LENGTHS = {}
_total = 0
for _level in LEVEL_ORDER:
    _total += CODE_WIDTHS[_level]
    CODE_LENGTHS[_level] = _total


def level_of_code(code: str) -> str | None:
    for level, length in CODE_LENGTHS.items():
        if len(code) == length:
            return level
    return None


def child_level(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


def outlines_unread(qs: models.QuerySet) -> models.QuerySet:
    """``qs`` (of any model) with the outline of every area it joins (``select_related``) left unread.

    ``Area.objects`` leaves an area's own outline unread, and a related area read on first use goes through
    it too (``base_manager_name``). A join does not: it reads every column of the joined area, the outline
    among them — hundreds of kilobytes for a real community or street, on a page that only names it. Wrap
    a query that joins areas: ``outlines_unread(Topic.objects.select_related("community", "area"))``
    (tests/scope/test_outlines_with_args.py asks every page with a path parameter)."""
    related = qs.query.select_related
    if not isinstance(related, dict):  # none, or select_related() with no names: every non-null key
        return qs
    paths: list[str] = []

    def walk(model, tree: dict, prefix: str) -> None:
        for name, below in tree.items():
            target = model._meta.get_field(name).related_model
            if target is Area:
                paths.append(f"{prefix}{name}__boundary")
            if below:
                walk(target, below, f"{prefix}{name}__")

    walk(qs.model, related, "")
    return qs.defer(*paths) if paths else qs


class AreaQuerySet(models.QuerySet):
    def with_boundary(self):
        """The rows with their outlines (``Area.objects`` leaves them unread until asked)."""
        return self.defer(None)

    def select_related(self, *fields):
        """The joined parents without their outlines either (``parent``, ``parent__parent`` …)."""
        return outlines_unread(super().select_related(*fields))

    def with_outline_flag(self):
        """Each row with ``has_outline``: whether it has an outline, answered by the database without
        reading it (the admin's list, the area API)."""
        return self.annotate(has_outline=models.ExpressionWrapper(models.Q(boundary__isnull=False),
                                                                  output_field=models.BooleanField()))

    def under(self, code: str, *, include_self: bool = True):
        qs = self.filter(code__startswith=code)
        return qs if include_self else qs.exclude(code=code)

    def at_level(self, level: str):
        return self.filter(level=level)


class AreaManager(models.Manager.from_queryset(AreaQuerySet)):
    """Areas without their outlines unless asked (``with_boundary()``, ``values("boundary")``, or reading
    ``area.boundary``, which loads it then). A district's or a street's outline is a GeoJSON of its whole
    border, hundreds of kilobytes for a real one, and nearly every page reads some area — the scope, the
    pickers, the rankings — without drawing it."""

    def get_queryset(self):
        return super().get_queryset().defer("boundary")


class Area(models.Model):
    code = models.CharField(_("编码"), max_length=22, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    rural = models.BooleanField(_("农村"), default=False)
    # Grids: a GeoJSON Polygon/MultiPolygon geometry (WGS84 lon/lat). Buildings: a point.
    boundary = models.JSONField(_("边界(GeoJSON)"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaManager()

    class Meta:
        verbose_name = verbose_name_plural = _("区域")
        ordering = ["code"]
        base_manager_name = "objects"  # a case's area, a grid's parent …: also without the outline until read
        indexes = [
            models.Index(fields=["code"], name="area_code_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "code"], name="area_level_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]+$"), name="area_code_digits"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="district", code__length=6)
                    | models.Q(level="street", code__length=9)
                    | models.Q(level="community", code__length=12)
                    | models.Q(level="grid", code__length=15)
                    | models.Q(level="building", code__length=18)
                    | models.Q(level="household", code__length=22)
                ),
                name="area_code_length_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district_code(self) -> str:
        return self.code[:6]

    @property
    def level_label(self) -> str:
        """The level's name in the active language (rural trees name their levels differently)."""
        if self.rural and self.level in RURAL_LABELS:
            return str(RURAL_LABELS[self.level])
        return str(Level(self.level).label)

    def ancestor_codes(self) -> list[str]:
        """Codes of this area and all its ancestors, district first."""
        return [self.code[:n] for n in CODE_LENGTHS.values() if n <= len(self.code)]

    def ancestors(self):
        return Area.objects.filter(code__in=self.ancestor_codes()[:-1]).order_by(Length("code"))

    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors()) + self.name
