"""The model store: the active category classifier and unit router, loaded once per process.

``active()`` asks the database which versions are active at most every few seconds (one tiny query,
``core.memo``); the blobs are unpickled only when a version changes. Saving a model (training)
forgets the memo in this process at once; other processes see the new version within 5 s. A blob
this code can no longer read (an upgrade changed the format) counts as no model: intake goes on
without suggestions and the worker's schedule retrains at once (``services.training_due``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from grassroots.core.memo import forget_on_change, memoized

from .learn import TextClassifier
from .models import RoutingModel
from .units import UnitRouter

KEY = "routing.active_versions"
log = logging.getLogger(__name__)
_loaded: dict[str, tuple[str, object]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Active:
    classifier: TextClassifier | None
    classifier_version: str
    router: UnitRouter | None
    router_version: str


def _versions() -> dict[str, tuple[str, int]]:
    return {kind: (version, pk) for kind, version, pk
            in RoutingModel.objects.filter(active=True).values_list("kind", "version", "pk")}


def _load(kind: str, version: str, pk: int):
    key = f"{version}#{pk}"  # the row too: a version name may come back (a test, a restored database)
    hit = _loaded.get(kind)
    if hit is not None and hit[0] == key:
        return hit[1]
    blob = RoutingModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
    if blob is None:
        return None
    blob = bytes(blob)
    try:
        value = TextClassifier.loads(blob) if kind == RoutingModel.Kind.CATEGORY else UnitRouter.loads(blob)
    except ValueError as exc:  # written by an older version: no suggestions until the worker retrains
        log.warning("routing model %s (%s) cannot be read: %s", key, kind, exc)
        value = None
    with _lock:
        _loaded[kind] = (key, value)
    return value


def active() -> Active:
    versions = memoized(KEY, _versions)
    category = versions.get(RoutingModel.Kind.CATEGORY)
    unit = versions.get(RoutingModel.Kind.UNIT)
    return Active(classifier=_load(RoutingModel.Kind.CATEGORY, *category) if category else None,
                  classifier_version=category[0] if category else "",
                  router=_load(RoutingModel.Kind.UNIT, *unit) if unit else None,
                  router_version=unit[0] if unit else "")


def connect() -> None:
    forget_on_change(KEY, RoutingModel)
