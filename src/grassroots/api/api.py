"""The JSON API (django-ninja, OpenAPI at /api/docs). Each app contributes a router of thin handlers
that validate input, call a selector or a service, and return a schema."""

import functools
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth
from ninja.signature import ViewSignature

from grassroots.areas.api import router as areas_router
from grassroots.assessment.api import router as assessment_router
from grassroots.cases.api import router as cases_router
from grassroots.command.api import router as command_router
from grassroots.deliberation.api import router as deliberation_router
from grassroots.duplicates.api import router as duplicates_router
from grassroots.evaluation.api import router as evaluation_router
from grassroots.hotspots.api import router as hotspots_router
from grassroots.intake.api import router as intake_router
from grassroots.matching.api import router as matching_router
from grassroots.notifications.api import router as notifications_router
from grassroots.orgs.api import router as orgs_router
from grassroots.people.api import router as people_router
from grassroots.points.api import router as points_router
from grassroots.portal.api import router as portal_router
from grassroots.privacy.api import router as privacy_router
from grassroots.registers.api import router as registers_router
from grassroots.reports.api import router as reports_router
from grassroots.routing.api import router as routing_router
from grassroots.service.api import router as service_router
from grassroots.stars.api import router as stars_router
from grassroots.volunteers.api import router as volunteers_router
from grassroots.wishes.api import router as wishes_router
from grassroots.woodpeckers.api import router as woodpeckers_router

log = logging.getLogger(__name__)

# The answers every operation may give whatever its handler declares, because the API gives them
# (below, and django-ninja's session auth): declared once here so the schema tells clients the truth
# (schemathesis checks every answer against it: tests/fuzz).
_API_ERROR = {"title": "ApiError", "type": "object", "required": ["detail"], "properties": {
    "detail": {"title": "Detail", "description": "what is wrong: a sentence, or the field-by-field list"},
    "message": {"title": "Message", "type": "string", "description": "one sentence in Chinese"}}}
_COMMON = {
    "400": "请求内容无法解析，或数值超出数据库能保存的范围",
    "401": "未登录",
    "403": "无权操作（或 CSRF 校验失败）",
    "404": "路径中的对象不存在或不在您的管辖范围内",
    "422": "请求参数有误",
}


class GrassrootsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["ApiError"] = _API_ERROR
        ref = {"$ref": "#/components/schemas/ApiError"}
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                codes = {"400", "401", "422"}
                if "{" in path:
                    codes.add("404")
                if method != "get":
                    codes.add("403")  # the CSRF check of session auth
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    answer = responses.setdefault(code, {"description": _COMMON[code]})
                    body = answer.setdefault("content", {}).setdefault("application/json", {})
                    declared = body.get("schema")
                    body["schema"] = ref if declared in (None, ref) else {"anyOf": [declared, ref]}
        return schema


api = GrassrootsAPI(title="grassroots API", version="1", auth=django_auth, urls_namespace="api")

# Bad input is the client's to fix, said in Chinese: the field-by-field detail stays as django-ninja
# gives it (clients read ``detail``), with one sentence in ``message`` a person can act on.
_WHERE = {"query": "查询参数", "path": "路径参数", "body": "请求内容", "form": "表单", "file": "文件"}


def _field(error: dict) -> str:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "form", "file")]
    return ".".join(loc) or _WHERE.get(str((error.get("loc") or [""])[0]), "参数")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields = sorted({_field(e) for e in exc.errors})
    return api.create_response(request, {"detail": exc.errors, "message": (
        f"请求参数有误：{'、'.join(fields[:5])}（类型不对、超出允许范围或缺少必填项）")}, status=422)


NOT_JSON = "请求内容无法解析：请以 JSON 发送（Content-Type: application/json）"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SAFE = {"GET", "HEAD", "OPTIONS"}


def _json_only(view_func):
    """Every write of the API takes JSON: a form-encoded or multipart body with fields or files in it is
    refused with the same 400 a JSON body that does not parse gets, also where the operation reads no
    body at all (``POST /notifications/read-all`` would otherwise answer 200 and ignore the form). The
    operations that declare ``Form``/``File`` parameters (the register upload, the woodpecker's photo)
    keep their multipart; an empty body (a POST with nothing to send) stays accepted."""
    sources = {getattr(m, "__ninja_param_source__", None) for m in ViewSignature("", view_func).models}
    if sources & {"form", "file"}:
        return view_func

    @functools.wraps(view_func)
    def checked(request, *args, **kwargs):
        if request.method not in _SAFE and request.content_type in _FORM_TYPES:
            try:
                _ = request.body  # read first: a handler that reads the body itself still can (intake)
            except RequestDataTooBig:
                raise HttpError(400, NOT_JSON) from None
            if request.POST or request.FILES:
                raise HttpError(400, NOT_JSON)
        return view_func(request, *args, **kwargs)

    return checked


api.add_decorator(_json_only, mode="operation")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = NOT_JSON
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(DataError)
def _out_of_range(request, exc: DataError):
    """A value the database cannot hold (a number beyond its integers, a date before year 1) that a
    parameter's own bound did not stop: refused, not a server error."""
    log.warning("API %s %s: value out of range: %s", request.method, request.path, exc)
    return api.create_response(request, {"detail": "参数超出允许范围，请检查数字和日期"}, status=400)


@api.exception_handler(OverflowError)
def _overflow(request, exc: OverflowError):
    log.warning("API %s %s: overflow: %s", request.method, request.path, exc)
    return api.create_response(request, {"detail": "参数超出允许范围，请检查数字和日期"}, status=400)

api.add_router("/areas", areas_router, tags=["areas"])
api.add_router("/orgs", orgs_router, tags=["orgs"])
api.add_router("/people", people_router, tags=["people"])
api.add_router("/registers", registers_router, tags=["registers"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/cases", cases_router, tags=["cases"])
api.add_router("/duplicates", duplicates_router, tags=["duplicates"])
api.add_router("/intake", intake_router, tags=["intake"])
api.add_router("/assessment", assessment_router, tags=["assessment"])
api.add_router("/command", command_router, tags=["command"])
api.add_router("/evaluation", evaluation_router, tags=["evaluation"])
api.add_router("/hotspots", hotspots_router, tags=["hotspots"])
api.add_router("/routing", routing_router, tags=["routing"])
api.add_router("/portal", portal_router, tags=["portal"])
api.add_router("/woodpeckers", woodpeckers_router, tags=["woodpeckers"])
api.add_router("/service", service_router, tags=["service"])
api.add_router("/volunteers", volunteers_router, tags=["volunteers"])
api.add_router("/wishes", wishes_router, tags=["wishes"])
api.add_router("/points", points_router, tags=["points"])
api.add_router("/deliberation", deliberation_router, tags=["deliberation"])
api.add_router("/matching", matching_router, tags=["matching"])
api.add_router("/stars", stars_router, tags=["stars"])
api.add_router("/reports", reports_router, tags=["reports"])
api.add_router("/privacy", privacy_router, tags=["privacy"])
