"""JSON API of the duplicate finder (mounted at /api/duplicates; session auth, like /api/cases).

Scope as on the pages: a case, or a pair, outside what the caller may see is a 404 (on both sides
of a pair). Errors are ``{"detail": "<中文>"}``: 403 not a dispatcher of the case, 409 the case's
state does not allow it now (a second click on merge: it is already merged), 404 not found.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case
from grassroots.cases.views_shared import case_or_404

from . import selectors
from .models import DuplicateCandidate
from .services import candidate_dismiss, duplicate_merge

router = Router()


class ErrorOut(Schema):
    detail: str


class CaseBrief(Schema):
    id: int
    code: str
    title: str
    body: str
    status: str
    status_label: str
    created_at: datetime


class CandidateOut(Schema):
    id: int
    case: CaseBrief
    original: CaseBrief
    score: float
    distance_m: float | None
    strong: bool
    found_at: datetime
    can_decide: bool


class MergeIn(Schema):
    note: str = ""


class MergeOut(Schema):
    case_id: int
    code: str
    status: str
    merged_into_id: int
    merged_into_code: str


def _brief(c: Case) -> dict:
    return {"id": c.pk, "code": c.code, "title": c.title, "body": c.body, "status": c.status,
            "status_label": c.get_status_display(), "created_at": c.created_at}


def _out(user, p: selectors.Pair) -> dict:
    return {"id": p.row.pk, "case": _brief(p.case), "original": _brief(p.original), "score": p.row.score,
            "distance_m": p.row.distance_m, "strong": p.row.strong, "found_at": p.row.found_at,
            "can_decide": selectors.can_decide(user, p)}


def _pair(request: HttpRequest, pk: int) -> selectors.Pair:
    try:
        return selectors.pair_get(request.user, pk)
    except DuplicateCandidate.DoesNotExist:
        raise Http404("疑似重复记录不存在或您无权查看") from None


@router.get("/cases/{case_id}/candidates", response={200: list[CandidateOut], 404: ErrorOut})
def candidates(request: HttpRequest, case_id: int):
    """The open "same as" pairs of a case (it is the newer one, or the original), both sides visible."""
    case = case_or_404(request.user, case_id)
    return [_out(request.user, p) for p in selectors.pairs_of(case, request.user)]


@router.post("/candidates/{pk}/merge", response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                 422: ErrorOut})
def merge(request: HttpRequest, pk: int, payload: MergeIn):
    """Merge the pair's newer case into its original (合并)."""
    p = _pair(request, pk)
    try:
        duplicate_merge(case=p.case, into=p.original, actor=request.user, note=payload.note[:5000])
    except TransitionNotAllowed as exc:
        return Status(409, {"detail": str(exc)})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc) or "无权操作"})
    except ValidationError as exc:
        return Status(422, {"detail": "；".join(exc.messages)})
    return {"case_id": p.case.pk, "code": p.case.code, "status": p.case.status,
            "merged_into_id": p.original.pk, "merged_into_code": p.original.code}


@router.post("/candidates/{pk}/dismiss", response={200: CandidateOut, 403: ErrorOut, 404: ErrorOut})
def dismiss(request: HttpRequest, pk: int):
    """不是重复: the pair is no longer offered."""
    p = _pair(request, pk)
    try:
        row = candidate_dismiss(candidate=p.row, actor=request.user)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    return _out(request.user, selectors.Pair(row=row, case=p.case, original=p.original))
