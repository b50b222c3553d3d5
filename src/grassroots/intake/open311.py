"""Open311 GeoReport v2 server at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), JSON and XML.

- services are the platform's case categories (the leaves of the taxonomy): service_code = the
  category code, group = its first-level name, keywords = its second-level name; no attributes, so
  ``metadata`` is false and every service is ``realtime``;
- jurisdiction_id = a district's 6-digit code; optional while the platform serves one district, and
  for a request id (which starts with its district's code);
- ``POST requests`` needs an ``api_key`` (an ApiClient key) and creates a case through
  ``case_receive`` (channel open311); the reporter's e-mail, phone and names become the encrypted
  contact and are never output;
- ``GET requests`` lists the jurisdiction's cases (anonymous reporters' cases are never shown);
  statuses map to open/closed; numbers typed in a description are masked.

Errors: 400 for a bad request, 403 for a missing or wrong api_key, 404 for what does not exist.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import RequestDataTooBig
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grassroots.areas.geo import district, districts
from grassroots.areas.models import Area
from grassroots.cases.models import Case, CaseEvent, Category, Channel
from grassroots.cases.selectors import category_by_code, public_text
from grassroots.core import crypto
from grassroots.core.planning import joins_as_written

from . import inputs
from .models import ApiClient, IntakeReceipt
from .open311_format import Open311Error, render, render_errors, w3c
from .placement import PlaceProblem
from .services import api_client_authenticate, case_receive_from_client, client_intake_key, gazetteer_for

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-05-01T00:00:00+08:00"
DESCRIPTION_MAX = 4000
MAX_SPAN = timedelta(days=90)
# A page of GET requests: 50 unless the client asks for more with page_size (at most 1,000, the
# spec's limit), as Chicago's Open311 does. A thousand rows a call cost 0.6 s at 100,000 cases.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_IDS = 1000
CLOSED = (Case.Status.CLOSED, Case.Status.REJECTED, Case.Status.MERGED)


def _view(handler):
    """Answer Open311Error in the spec's error shape, in the format of the URL."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        try:
            if _has_nul(request, kwargs):
                # PostgreSQL refuses a NUL byte in any text it is asked about: a server error the fuzzer found
                raise Open311Error(400, _("请求中含有空字符（NUL），请去掉后重试"))
            return handler(request, fmt, **kwargs)
        except Open311Error as error:
            return render_errors(fmt, [(error.code, error.description)], error.code)
        except RequestDataTooBig:
            return render_errors(fmt, [(400, _("请求内容过大（超过10 MB）：描述最多4000字，图片请用 media_url 链接"))], 400)

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return csrf_exempt(wrapped)


def _has_nul(request: HttpRequest, kwargs: dict) -> bool:
    """A NUL byte anywhere in the path, the URL's arguments or the form fields."""
    texts = [request.path, *map(str, kwargs.values())]
    for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in data.lists():
            texts.append(key)
            texts.extend(values)
    return any("\x00" in text for text in texts)


def _method(request: HttpRequest, *allowed: str) -> None:
    if request.method not in allowed:
        raise Open311Error(400, _("该地址只接受 %(methods)s 请求") % {"methods": "、".join(allowed)})


# --- jurisdiction ---------------------------------------------------------------------------------


def _jurisdiction(request: HttpRequest, *, default: str = "") -> Area:
    """The district named by jurisdiction_id; without one, ``default`` or the only district there is.

    Every Open311 call asks this: the districts come from a copy kept a few seconds in memory
    (``areas.geo.districts``), never with their outlines, which a real district's map makes hundreds of
    kilobytes of GeoJSON (the demo's is a 115-character rectangle)."""
    params = request.POST if request.method == "POST" else request.GET
    code = (params.get("jurisdiction_id") or "").strip()
    if code:
        found = district(code)
        if found is None:
            raise Open311Error(404, _("jurisdiction_id“%(code)s”不存在：应为平台所辖区县的6位代码") % {"code": code[:20]})
        return found
    if default:
        found = district(default)
        if found is not None:
            return found
    every = districts()
    if len(every) == 1:
        return every[0]
    raise Open311Error(400, _("缺少 jurisdiction_id：本接口服务多个区县，请提供区县的6位代码"))


# --- discovery and services -----------------------------------------------------------------------


@_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is, and how to get a key."""
    _method(request, "GET")
    url = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": _("请联系区级诉求平台管理员"),
        "key_service": _("API 密钥（api_key）由区级管理员在平台后台「接口客户端」中创建，创建时只显示一次"),
        "endpoints": [{"specification": SPEC, "url": url, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


def _categories() -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.all()}


def _service(cat: Category, by_pk: dict[int, Category]) -> dict:
    path, node = [], cat
    while node is not None:
        path.append(node.name)
        node = by_pk.get(node.parent_id) if node.parent_id else None
    path.reverse()
    return {"service_code": cat.code, "service_name": cat.name, "description": " > ".join(path),
            "metadata": False, "type": "realtime", "keywords": path[1] if len(path) > 2 else "",
            "group": path[0]}


@_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every leaf category as a service, grouped by its first-level category."""
    _method(request, "GET")
    _jurisdiction(request)
    by_pk = _categories()
    parents = {c.parent_id for c in by_pk.values() if c.parent_id}
    leaves = sorted((c for c in by_pk.values() if c.pk not in parents), key=lambda c: c.code)
    return render(fmt, "services", [_service(c, by_pk) for c in leaves])


@_view
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """No service asks for extra attributes: the definition lists none."""
    _method(request, "GET")
    _jurisdiction(request)
    if not Category.objects.filter(code=service_code).exists():
        raise Open311Error(404, _("service_code“%(code)s”不存在，可用的服务见 services.%(fmt)s")
                           % {"code": service_code[:20], "fmt": fmt})
    return render(fmt, "service_definition", {"service_code": service_code, "attributes": []})


# --- requests -------------------------------------------------------------------------------------


@_view
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    _method(request, "GET", "POST")
    return _list(request, fmt)


def _client(request: HttpRequest) -> ApiClient:
    key = request.POST.get("api_key") or request.GET.get("api_key")
    if not key:
        raise Open311Error(403, _("缺少 api_key：提交诉求需要平台发放的 API 密钥"))
    client = api_client_authenticate(key)
    if client is None:
        raise Open311Error(403, _("api_key 无效或已停用，无法提交诉求"))
    return client


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST requests: one case; the same Idempotency-Key header again answers with the same case."""
    client = _client(request)
    district = _jurisdiction(request, default=client.district_code)
    if district.code != client.district_code:
        raise Open311Error(403, _("该 api_key 只能向 %(code)s 提交诉求") % {"code": client.district_code})
    data = request.POST
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code：请先从 services.%(fmt)s 中选择服务类型") % {"fmt": fmt})
    service = category_by_code(code)
    if service is None:
        raise Open311Error(404, _("service_code“%(code)s”不存在") % {"code": code[:20]})
    errors: inputs.Errors = {}
    description = inputs.text_field(errors, data, "description", "描述", maximum=DESCRIPTION_MAX)
    address = inputs.text_field(errors, data, "address_string", "地址", maximum=inputs.ADDRESS_MAX)
    phone = inputs.phone_field(errors, data, "phone", "电话")
    email = inputs.email_field(errors, data, "email")
    media_url = inputs.url_field(errors, data, "media_url")
    name = inputs.contact_name(errors, data.get("first_name", ""), data.get("last_name", ""))
    idem = (request.headers.get("Idempotency-Key") or "").strip()[:inputs.IDEMPOTENCY_KEY_MAX]
    placement = _placement(request, district, address, errors)
    if errors:
        raise Open311Error(400, "；".join(errors.values()))
    body = description or _("%(service)s（通过 Open311 提交，未附描述）") % {"service": service.name}
    if media_url:
        body += "\n\n" + _("图片/媒体链接：%(url)s") % {"url": media_url}
    title = f"{service.name}：{inputs.first_words(description)}" if description else service.name
    received = case_receive_from_client(
        client=client, channel=Channel.OPEN311, title=title[:inputs.TITLE_MAX], body=body, placement=placement,
        address=address, category=service, contact_name=name, contact_phone=phone, email=email,
        media_url=media_url, intake_key=client_intake_key(client, "o311:" + idem) if idem else "")
    case = received.case
    notice = (_("诉求已登记（编号 %(code)s），将于 %(deadline)s 前办理") % {
        "code": case.code, "deadline": timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")}
        if case.deadline else _("诉求已登记（编号 %(code)s）") % {"code": case.code})
    return render(fmt, "service_requests",
                  [{"service_request_id": case.code, "service_notice": notice, "account_id": None}],
                  status=201 if received.created else 200)


def _placement(request: HttpRequest, district: Area, address: str, errors: inputs.Errors):
    data = request.POST
    lat, lng, address_id = data.get("lat", "").strip(), data.get("long", "").strip(), data.get("address_id", "").strip()
    if bool(lat) != bool(lng):
        errors["location"] = _("lat 和 long 要同时提供")
        return None
    if not ((lat and lng) or address or address_id):
        errors["location"] = _("缺少位置：请提供 lat 和 long，或 address_string，或 address_id")
        return None
    try:
        return gazetteer_for(district).place(lat=lat or None, lng=lng or None, area_text=address_id, address=address)
    except PlaceProblem as problem:
        errors["location"] = problem.message
        return None


# --- reading requests -----------------------------------------------------------------------------


def _public_cases(district: Area | None = None) -> QuerySet[Case]:
    """The cases that may be shown to anyone (never an anonymous reporter's), of one district, with what
    ``_request_out`` reads."""
    cases = Case.objects.filter(anonymous=False)
    if district is not None:
        cases = cases.filter(district_code=district.code)
    return cases.select_related("category", "area", "assigned_unit", "assigned_area", "intake_receipt").only(*OUT_FIELDS)


# What ``_request_out`` reads: a list of 50 requests built every column of five models per row before.
OUT_FIELDS = ("code", "status", "body", "created_at", "closed_at", "updated_at", "deadline", "address", "lat",
              "lng", "district_code", "category__name", "category__code", "area__name", "area__code",
              "area__lat", "area__lng", "assigned_unit__name", "assigned_area__name", "intake_receipt__media_url")


def _moment(request: HttpRequest, key: str, *, end: bool) -> datetime | None:
    raw = (request.GET.get(key) or "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if moment is None and "T" not in raw:
        day = _safe(parse_date, raw)
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end else day, time())
    if moment is None:
        raise Open311Error(400, _("%(key)s“%(value)s”格式不对，应为 W3C 日期时间，如 2026-05-01T00:00:00+08:00")
                           % {"key": key, "value": raw[:40]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _safe(parse, raw: str):
    try:
        return parse(raw)
    except ValueError:
        return None


def _int(request: HttpRequest, key: str, default: int, low: int, high: int) -> int:
    raw = (request.GET.get(key) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Open311Error(400, _("%(key)s 应为 %(low)s 到 %(high)s 之间的整数") % {"key": key, "low": low, "high": high})
    return int(raw)


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET requests: by service_request_id (which overrides every other argument), or by
    service_code, start_date/end_date (at most 90 days; the last 90 days by default) and status."""
    district = _jurisdiction(request)
    cases = _public_cases(district)
    page = _int(request, "page", 1, 1, 1_000_000)
    size = _int(request, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    ids = [i.strip() for i in (request.GET.get("service_request_id") or "").split(",") if i.strip()]
    cases = cases.filter(code__in=ids[:MAX_IDS]) if ids else _filtered(request, cases)
    with joins_as_written():  # five LEFT JOINs on keys: planning them cost 8 times the reading
        found = list(cases.order_by("-created_at", "-pk")[(page - 1) * size:page * size])
    notes = _status_notes([c.pk for c in found])
    return render(fmt, "service_requests", [_request_out(c, notes.get(c.pk)) for c in found])


def _filtered(request: HttpRequest, cases: QuerySet[Case]) -> QuerySet[Case]:
    codes = [c.strip() for c in (request.GET.get("service_code") or "").split(",") if c.strip()]
    if codes:
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        if missing := [c for c in codes if c not in known]:
            raise Open311Error(400, _("service_code“%(code)s”不存在") % {"code": missing[0][:20]})
        q = Q()
        for code in codes:
            q |= Q(category__code__startswith=code)
        cases = cases.filter(q)
    start, end = _moment(request, "start_date", end=False), _moment(request, "end_date", end=True)
    if start and end and end < start:
        raise Open311Error(400, _("end_date 早于 start_date"))
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date 到 end_date 最多相隔90天"))
    if start and not end:
        end = start + MAX_SPAN
    elif end and not start:
        start = end - MAX_SPAN
    elif not start and not end:
        end = timezone.now()
        start = end - MAX_SPAN
    cases = cases.filter(created_at__gte=start, created_at__lt=end)
    statuses = [s.strip() for s in (request.GET.get("status") or "").split(",") if s.strip()]
    if bad := [s for s in statuses if s not in ("open", "closed")]:
        raise Open311Error(400, _("status“%(value)s”无效，只能是 open 或 closed") % {"value": bad[0][:20]})
    if set(statuses) == {"open"}:
        cases = cases.exclude(status__in=CLOSED)
    elif set(statuses) == {"closed"}:
        cases = cases.filter(status__in=CLOSED)
    return cases


def _status_notes(pks: list[int]) -> dict[int, str]:
    """The latest public event of each case, as the resident's timeline words it. Only those events are
    read: a page of 50 cases read all their public events (about 330) and worded each, 9–10 ms on both
    databases, now 2.4 (SQLite) and 3.7 ms (PostgreSQL) with one sub-select per case."""
    latest = CaseEvent.objects.filter(public=True).order_by("-at", "-pk")
    if len(pks) == 1:  # one request: a plain LIMIT 1 is cheaper than the sub-select
        events = list(latest.filter(case_id=pks[0])[:1])
    else:
        last = latest.filter(case_id=OuterRef("pk")).values("pk")[:1]
        events = list(CaseEvent.objects.filter(pk__in=Case.objects.filter(pk__in=pks).values(last_id=Subquery(last))))
    return {event.case_id: str(public_text(event)) for event in events}


def _request_out(case: Case, status_note: str | None) -> dict:
    closed = case.status in CLOSED
    receipt = getattr(case, "intake_receipt", None)  # (RelatedObjectDoesNotExist is an AttributeError)
    lat, lng = case.lat, case.lng
    if lat is None and case.area is not None and case.area.lat is not None:
        lat, lng = case.area.lat, case.area.lng
    agency = case.assigned_unit or case.assigned_area
    return {
        "service_request_id": case.code,
        "status": "closed" if closed else "open",
        "status_notes": status_note,
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.code if case.category else None,
        "description": crypto.mask_numbers(case.body),
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": w3c(case.deadline),
        "address": case.address or (case.area.name if case.area else None),
        "address_id": case.area.code if case.area else None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": (receipt.media_url or None) if receipt else None,
    }


@_view
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    """One request by its id; the id names its district, so jurisdiction_id may be left out."""
    _method(request, "GET")
    with joins_as_written():  # the request's id names its district: checked below
        case = _public_cases().filter(code=service_request_id).first()
    if case is not None and _jurisdiction(request, default=case.district_code).code != case.district_code:
        case = None
    if case is None:
        raise Open311Error(404, _("service_request_id“%(id)s”不存在") % {"id": service_request_id[:40]})
    return render(fmt, "service_requests", [_request_out(case, _status_notes([case.pk]).get(case.pk))])


@_view
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _method(request, "GET")
    receipt = IntakeReceipt.objects.filter(token=token).select_related("case").first()
    if receipt is not None and _jurisdiction(request, default=receipt.district_code).code != receipt.district_code:
        receipt = None
    if receipt is None:
        raise Open311Error(404, _("token“%(token)s”不存在") % {"token": token[:40]})
    return render(fmt, "service_requests", [{"service_request_id": receipt.case.code, "token": receipt.token}])


@_view
def not_found(request: HttpRequest, fmt: str, path: str = "") -> HttpResponse:
    raise Open311Error(404, _("没有这个 Open311 资源：可用的有 discovery、services、requests、tokens"))

