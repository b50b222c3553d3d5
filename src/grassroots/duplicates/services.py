"""Writes of the duplicate finder: the intake step that stores a new case's candidates, a
dispatcher's merge and "不是重复", and the rating a merged case's resident gives the original.

The merge itself is the case engine's ``merge`` action (``cases.services.case_merge``): allowed
from reported/accepted, by a dispatcher of both cases; its effect tells the resident
(``cases/effects.py``). A double-clicked merge merges once: the second finds the case merged and
is refused (TransitionNotAllowed), which the pages and the API report as "already merged".
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent, Rating
from grassroots.cases.permissions import is_reporter, may
from grassroots.cases.services import case_comment, case_merge
from grassroots.core.services import audit_record

from .models import DuplicateCandidate, MergedRating
from .selectors import RATE_FROM, original_of, similar_to_case

log = logging.getLogger(__name__)
COMMENT_MAX = 5000


def candidates_find(case: Case) -> list:
    """The intake step's reads (``cases.hooks`` ``prepare``): the open cases that look like ``case``."""
    return similar_to_case(case)


def candidates_store(*, case: Case, found: list | None = None) -> list[DuplicateCandidate]:
    """Keep the open cases that look like ``case`` (found once, at intake; ``found`` when already read)."""
    found = similar_to_case(case) if found is None else found
    rows = [DuplicateCandidate(case=case, candidate_id=m.id, score=m.score, distance_m=m.distance_m,
                               strong=m.strong, district_code=case.district_code) for m in found]
    DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def on_case_received(case: Case, context: dict, found: list) -> None:
    """The intake step (``cases.hooks``, order 10, its reads in ``candidates_find``): store the
    candidates; a strong one puts ``duplicate_of`` in the context so that routing does not dispatch
    the case automatically."""
    rows = candidates_store(case=case, found=found)
    strong = [r.candidate_id for r in rows if r.strong]
    if strong:
        context["duplicate_of"] = strong


def _check_dispatcher(actor, case: Case) -> None:
    if not may(actor, case, "merge"):
        raise PermissionDenied("只有该诉求所在社区、街道的受理派单人员可以判定是否重复")


@transaction.atomic
def candidate_dismiss(*, candidate: DuplicateCandidate, actor) -> DuplicateCandidate:
    """不是重复: the pair is no longer offered. Twice is once."""
    case = candidate.case
    _check_dispatcher(actor, case)
    done = DuplicateCandidate.objects.filter(pk=candidate.pk, dismissed_at__isnull=True).update(
        dismissed_by=actor, dismissed_at=timezone.now())
    if done:
        audit_record(actor=actor, action="duplicates.dismiss", obj=case,
                     detail={"case": case.code, "candidate": candidate.candidate.code, "score": candidate.score})
    candidate.refresh_from_db()
    return candidate


def duplicate_merge(*, case: Case, into: Case, actor, note: str = "") -> CaseEvent:
    """合并: ``case`` follows ``into`` (the original); its resident is told and later rates the original."""
    return case_merge(case=case, into=into, actor=actor,
                      note=note or f"与诉求“{into.code}”反映同一问题，合并办理")


def merged_rate(*, case: Case, rating: str, actor=None, comment: str = "", tracking_code: str = "") -> MergedRating:
    """The resident of a merged case rates the original once it is answered. The rating is kept as
    an extra rating of the original (``MergedRating``) and noted on the original's internal
    timeline; the original's own rating stays its own reporter's (docs/routing.md)."""
    if not is_reporter(actor, case, tracking_code):
        raise PermissionDenied("只有反映人本人可以评价")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择：满意、基本满意或不满意"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"意见不能超过{COMMENT_MAX}个字（现有{len(comment)}个字）"})
    if case.status != Case.Status.MERGED:
        raise TransitionNotAllowed("该诉求没有合并到其他诉求，请直接评价")
    original = original_of(case)
    if original is None or original.status not in RATE_FROM:
        raise TransitionNotAllowed("合并后的诉求尚未答复，答复后才能评价")
    try:
        with transaction.atomic():
            row = MergedRating.objects.create(case=case, original=original, rating=rating, comment=comment,
                                              district_code=case.district_code)
            label = Rating(rating).label
            case_comment(case=original, actor=None,
                         note=f"合并诉求“{case.code}”的反映人评价：{label}" + (f"。意见：{comment}" if comment else ""))
            audit_record(actor=actor, action="duplicates.merged_rate", obj=original,
                         detail={"case": case.code, "rating": rating})
    except IntegrityError:
        raise TransitionNotAllowed("您已经评价过了，感谢您的反馈") from None
    return row
