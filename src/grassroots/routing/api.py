"""JSON API of smart routing (mounted at /api/routing; session auth): a case's stored suggestions
(404 outside the caller's cases), applying one, and the active models' figures (dispatchers only)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from grassroots.cases.errors import CaseError
from grassroots.cases.models import Case

from . import selectors
from .services import suggestion_apply

router = Router()


class ErrorOut(Schema):
    detail: str


class ItemOut(Schema):
    rank: int
    category_id: int
    category_code: str
    category_path: str
    confidence: float = Field(description="0–1")
    unit_id: int | None
    unit_name: str
    unit_share: float | None = Field(None, description="该单位在同类已办结诉求中的得分占比")
    unit_basis: str = Field(description="history：历史办结；duty：职责清单；空：责任网格/社区/街道")


class SuggestionOut(Schema):
    case_id: int
    case_code: str
    decision: str
    decision_label: str
    detail: str
    model_version: str
    threshold: float
    top_confidence: float
    applied_rank: int | None
    items: list[ItemOut]


class ModelOut(Schema):
    kind: str
    version: str
    trained_at: datetime
    train_size: int
    source: str
    classes: int
    evaluation: dict
    details: dict


class ApplyIn(Schema):
    rank: int = Field(description="采用第几条建议（1–3）")


def _out(case: Case, s) -> dict:
    return {
        "case_id": case.pk, "case_code": case.code, "decision": s.decision, "decision_label": s.get_decision_display(),
        "detail": s.detail, "model_version": s.model_version, "threshold": s.threshold,
        "top_confidence": s.top_confidence, "applied_rank": s.applied_rank,
        "items": [{"rank": n, "category_id": i["category"], "category_code": i["code"], "category_path": i["path"],
                   "confidence": i["p"], "unit_id": i.get("unit"), "unit_name": i.get("unit_name", ""),
                   "unit_share": i.get("unit_p"), "unit_basis": i.get("unit_basis", "")}
                  for n, i in enumerate(s.items, 1)],
    }


def _scoped(request: HttpRequest, case_id: int):
    try:
        return selectors.suggestion_for(request.user, case_id)
    except Case.DoesNotExist:
        return None, None


@router.get("/cases/{case_id}/suggestions", response={200: SuggestionOut, 404: ErrorOut}, summary="诉求的分派建议")
def case_suggestions(request: HttpRequest, case_id: int):
    case, suggestion = _scoped(request, case_id)
    if case is None:
        return Status(404, {"detail": "诉求不存在或您无权查看"})
    if suggestion is None:
        return Status(404, {"detail": "该诉求没有分派建议（受理时尚无模型，或模型未能给出类别）"})
    return _out(case, suggestion)


@router.post("/cases/{case_id}/apply", response={200: SuggestionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                 422: ErrorOut}, summary="采用一条分派建议")
def case_apply(request: HttpRequest, case_id: int, payload: ApplyIn):
    case, suggestion = _scoped(request, case_id)
    if case is None:
        return Status(404, {"detail": "诉求不存在或您无权查看"})
    try:
        suggestion = suggestion_apply(case=case, rank=payload.rank, actor=request.user)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except CaseError as exc:
        return Status(409, {"detail": exc.message})
    except ValidationError as exc:
        return Status(422, {"detail": "；".join(m for msgs in exc.message_dict.values() for m in msgs)
                            if hasattr(exc, "error_dict") else "；".join(exc.messages)})
    return _out(case, suggestion)


@router.get("/model", response={200: list[ModelOut], 403: ErrorOut}, summary="当前使用的分派模型")
def model_info(request: HttpRequest):
    if not selectors.may_view_routing(request.user):
        return Status(403, {"detail": "只有受理派单人员可以查看分派模型"})
    return [{"kind": m.kind, "version": m.version, "trained_at": m.trained_at, "train_size": m.train_size,
             "source": m.source, "classes": len(m.labels), "evaluation": m.evaluation, "details": m.details}
            for m in selectors.active_models().values()]
