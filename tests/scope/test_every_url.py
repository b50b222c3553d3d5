"""The scope matrix, generated: every URL pattern of the site (pages, the admin, Open311) and every
operation of the JSON API, asked by every kind of user with the ids and codes of places they may
not see. Nothing of those places may come back — in a page, a JSON body, a spreadsheet's cells, a
PDF's text, a file name, a count — and a write aimed at them changes nothing.

The world is tests/scope/world.py; the rules, one per pattern, are tests/scope/rules.py. A new
pattern without a rule fails ``test_every_pattern_has_a_rule``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from itertools import product

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.api.api import api
from grassroots.cases.models import CaseEvent
from grassroots.core.models import AuditEntry
from grassroots.notifications.models import Notification
from tests.scope import rules
from tests.scope.rules import Skip
from tests.scope.world import COMMUNITIES, GRIDS, STREETS, ScopeWorld, build_world

# One test process runs the whole matrix (pytest-xdist --dist loadgroup): its world is built once for all
# the users (shared_world), and no other module's test runs between two users while it is open.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("scope")]

ALL = frozenset([*GRIDS, *COMMUNITIES, *STREETS, "district", "u1", "u2"])


@dataclass(frozen=True)
class Who:
    """A user, the places (tags) whose markers they may see, those they may or may not see (not
    checked), the places whose ids the matrix throws at them, and markers their own pages must show."""
    see: frozenset
    maybe: frozenset = frozenset()
    targets: tuple = ()
    own: tuple = ()
    joins: frozenset = frozenset()  # communities where the user takes part (may propose a topic, …)

    def forbidden(self, tags: frozenset) -> bool:
        return not (tags & (self.see | self.maybe))


WHO = {
    "grid_worker_A": Who(frozenset({"A", "@grid_worker_A"}), frozenset({"c1", "s1", "district"}),
                         ("B", "C", "E", "u2"), ("MKRAresZ", "MKRAcaseZ", "MKRgrid_worker_AnoteZ", "MKRAclaimZ")),
    # 网格长: a grid worker's capabilities at the grid (staff, handles its cases)
    "grid_leader_A": Who(frozenset({"A", "@grid_leader_A"}), frozenset({"c1", "s1", "district"}),
                         ("B", "C", "E", "u2"), ("MKRAresZ", "MKRAcaseZ")),
    # 网格辅助员: reads the grid's areas, residents, units and cases (no Party, no reveal, handles nothing)
    "grid_assistant_A": Who(frozenset({"A", "@grid_assistant_A"}), frozenset({"c1", "s1", "district"}),
                            ("B", "C", "E", "u2"), ("MKRAresZ", "MKRAcaseZ")),
    "community_worker_1": Who(frozenset({"A", "B", "c1", "@community_worker_1"}), frozenset({"s1", "district"}),
                              ("C", "c2", "E", "c3", "u2"), ("MKRBresZ", "MKRBcaseZ", "MKRc1wishZ")),
    # 党组织书记 of community 1's Party committee: its areas, Party organisations, units and cases
    "party_secretary_c1": Who(frozenset({"A", "B", "c1", "@party_secretary_c1"}), frozenset({"s1", "district"}),
                              ("C", "c2", "E", "c3", "u2"), ("MKRBcaseZ",)),
    "street_admin_1": Who(frozenset({*"ABCD", "c1", "c2", "s1", "@street_admin_1"}), frozenset({"district"}),
                          ("E", "c3", "s2", "u2"), ("MKRDresZ", "MKRDcaseZ", "MKRc2wishZ", "MKRs1jobZ", "MKRs1hotZ")),
    # 领导 (read-only) of street 1: its areas, Party organisations, units and cases
    "leader_s1": Who(frozenset({*"ABCD", "c1", "c2", "s1", "@leader_s1"}), frozenset({"district"}),
                     ("E", "c3", "s2", "u2"), ("MKRDcaseZ",)),
    # unit 1 is a registered co-building unit of community 1: it may take part there
    "dept_handler": Who(frozenset({"u1", "@dept_handler"}), frozenset({"district", "c1"}),
                        ("E", "u2", "A", "c1"), ("MKRBcaseZ",), joins=frozenset({"c1"})),
    # 党员 (接单), registered (双报到) with community 1: the cases dispatched to them, their own
    # registration and records; they take part in community 1 (may propose a topic there)
    "party_member_c1": Who(frozenset({"@party_member_c1"}), frozenset({"district"}),
                           ("A", "c1", "C", "E", "u2"), ("MKRAtakeZ", "MKRc1srZ"), joins=frozenset({"c1"})),
    "district_admin": Who(ALL | {"@district_admin"}, targets=(), own=("MKRHresZ", "MKRHcaseZ", "MKRc4wishZ")),
    "resident_A": Who(frozenset({"@resident_A"}), frozenset({"district"}), ("A", "B", "c1", "E")),
    "anonymous": Who(frozenset(), frozenset({"district"}), ("A", "c1", "s1", "u1")),
}

# A body for every write: the usual field names, so that a write passes validation and meets scope.
WRITE_BODY = {"approve": True, "valid": True, "confirmed": True, "verified": True, "pay": True,
              "field": "phone", "note": "范围测试", "reason": "范围测试", "text": "范围测试", "progress": 50,
              "reply": "范围测试", "action": "start", "decision": "yes", "code": "123456", "key": "scope-k1",
              "comment": "范围测试", "title": "范围测试", "body": "范围测试", "choice": "yes", "minutes": "x"}

# A page that answers a write with its form again and an error: the write never reached the scope check.
FORM_ERROR = re.compile(r'role="alert"|class="(?:[\w-]+ )*(?:error|field-error|errorlist)[ "]')

# ---------------------------------------------------------------- enumerating the site

def url_patterns() -> list[str]:
    """Every route string of the URL conf, prefixes joined."""
    found: list[str] = []

    def walk(resolver, prefix: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))
    walk(get_resolver(), "")
    return found


def api_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops]


ADMIN_MODEL = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z_]+)/(?P<rest>.*)$")
ADMIN_MODELS = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}


def rule_for(route: str) -> dict | Skip | None:
    """The rule of a Django route (None: none written)."""
    if route in rules.PAGES:
        return rules.PAGES[route]
    if route.startswith(rules.ADMIN_APP_LIST_PREFIX):
        return {"app_label": "const:people|cases|service"}
    m = ADMIN_MODEL.match(route)
    if m and f"{m['app']}.{m['model']}" in ADMIN_MODELS:
        kind = f"{m['app']}.{m['model']}"
        if route_parameters(route) == {"object_id"}:
            return {"object_id": kind}
        if not route_parameters(route):
            return {}
        return None  # another parameter (the user admin's <id>/password/): a rule in rules.PAGES
    if route.startswith("api/"):
        return "api"  # ruled by the OpenAPI operation (test_every_pattern_has_a_rule checks they match)
    return None


def route_parameters(route: str) -> set[str]:
    """The names of a Django route's parameters: ``<int:pk>`` and, in a regex route, ``(?P<fmt>…)``."""
    return set(re.findall(r"<(?:\w+:)?(\w+)>", re.sub(r"\(\?P<(\w+)>", r"<\1>", route)))


def operation_parameters(op: str) -> set[str]:
    """The names of an API operation's path parameters: ``{case_id}``."""
    return set(re.findall(r"\{(\w+)\}", op))


def api_path_of(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_pattern_has_a_rule():
    missing = [r for r in url_patterns() if rule_for(r) is None]
    assert not missing, ("这些 URL 没有范围规则 — add a rule for each to tests/scope/rules.py (PAGES): "
                         + ", ".join(missing))
    operations = api_operations()
    missing_ops = [op for op in operations if op not in rules.API]
    assert not missing_ops, "这些 API 操作没有范围规则 — add them to tests/scope/rules.py (API): " + ", ".join(missing_ops)
    stale = [k for k in rules.API if k not in operations] + [
        k for k in rules.PAGES if k not in url_patterns()]
    assert not stale, f"rules of patterns that no longer exist: {stale}"
    # A rule fills exactly its pattern's parameters: an unfilled one would leave the pattern unrequested.
    patterns = [(r, route_parameters(r), rule_for(r)) for r in url_patterns()]
    patterns += [(op, operation_parameters(op), rule) for op, rule in rules.API.items()]
    unfilled = {pattern: sorted(params ^ set(rule)) for pattern, params, rule in patterns
                if isinstance(rule, dict) and params != set(rule)}
    assert not unfilled, f"rules that do not fill exactly their pattern's parameters (never requested): {unfilled}"
    paths = {op.split(" ", 1)[1] for op in operations}
    api_routes = [r for r in url_patterns() if rule_for(r) == "api" and r not in rules.PAGES]
    unmatched = [r for r in api_routes if api_path_of(r) not in paths]
    assert not unmatched, unmatched


# ---------------------------------------------------------------- filling and reading

def place_object(world: ScopeWorld, kind: str, place: str):
    """(the object of ``kind`` at ``place`` or in the community/street holding it, its place)."""
    found = world.objects.get(kind, {})
    for p in (place, world.community_of(place), world.street_of(place)):
        if p in found:
            return found[p], p
    return None, None


def fillings(world: ScopeWorld, spec: dict, place: str, who: Who):
    """Every way to fill a rule's parameters from ``place``: [(values, the target object or None)];
    nothing when the place's object of that kind is one the user may see."""
    choices: dict[str, list] = {}
    target = None
    for param, filler in spec.items():
        if filler.startswith("const:"):
            choices[param] = filler[6:].split("|")
            continue
        if filler in ("area", "community", "street"):
            p = {"area": place, "community": world.community_of(place), "street": world.street_of(place)}[filler]
            if p not in world.areas or not who.forbidden(frozenset({p})):
                return []
            choices[param] = [world.areas[p].code]
            continue
        obj, p = place_object(world, filler, place)
        if obj is None or not who.forbidden(frozenset({p})):
            return []
        choices[param] = [obj.pk]
        target = target or obj
    names = list(choices)
    return [(dict(zip(names, values, strict=True)), target) for values in product(*(choices[n] for n in names))]


def django_path(route: str, values: dict) -> str:
    def sub(m: re.Match) -> str:
        return str(values[m["name"]])
    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", sub, route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", sub, path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


def hostile_query(world: ScopeWorld, place: str) -> dict:
    """The usual filter parameters, each naming ``place`` (or street 2 / unit 2 where it names none)."""
    area = world.areas[place].code if place in world.areas else world.areas["s2"].code
    community = world.community_of(place)
    community = world.areas[community].code if community in world.areas else area
    unit = world.units.get(place, world.units["u2"]).pk
    return {"area": area, "code": area, "community": community, "grid": area, "street": area,
            "under": area, "unit": unit, "unit_id": unit, "page_size": 100}


def place_body(world: ScopeWorld, place: str) -> dict:
    """A write's body naming ``place``: its codes and the ids of its objects under the usual names."""
    body = hostile_query(world, place)
    del body["page_size"]
    for name, kind in (("case", "cases.case"), ("case_id", "cases.case"), ("activity", "volunteers.activity"),
                       ("need", "matching.need"), ("resource", "matching.resource"),
                       ("merchant", "points.merchant"), ("offer", "points.offer"),
                       ("registration", "service.memberregistration"), ("household", "areas.area")):
        obj, _ = place_object(world, kind, place)
        if obj is not None:
            body[name] = obj.pk
    body["cases"] = [body["case"]] if "case" in body else []
    body["household"] = world.tree.households[4 * GRIDS.index(place)].code if place in GRIDS else ""
    return body


def valid_body(world: ScopeWorld, op: str, place: str) -> dict:
    """The valid body of an id-addressed write (rules.API_BODIES), its references filled from ``place``."""
    from datetime import timedelta

    from django.utils import timezone

    body = {}
    for name, value in rules.API_BODIES.get(op, {}).items():
        if isinstance(value, str) and value.startswith("@"):
            app, model, *attr = value[1:].split(".")
            obj, _ = place_object(world, f"{app}.{model}", place)
            value = getattr(obj, attr[0] if attr else "pk") if obj is not None else None
        elif isinstance(value, str) and re.fullmatch(r"\+\d+d", value):
            value = (timezone.localdate() + timedelta(days=int(value[1:-1]))).isoformat()
        elif value == "year":
            value = timezone.localdate().year
        elif value == "criterion":
            value = world.star_scheme.criteria.filter(source="inspector").values_list("pk", flat=True).first()
        body[name] = value
    return body


def body_text(response) -> str:
    """What a person could read in an answer: the page or JSON, a spreadsheet's cells, a PDF's text,
    and the headers that carry names (a file name, a redirect)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    parts = [response.get("Content-Disposition", ""), response.get("Location", "")]
    if raw[:2] == b"PK" and ("sheet" in kind or "octet" in kind or "excel" in kind):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                parts.extend(str(v) for v in row if v is not None)
    elif raw[:5] == b"%PDF-":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(raw)
        for page in pdf:
            parts.append(page.get_textpage().get_text_range())
        parts.append(raw.decode("latin-1"))
    else:
        parts.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(parts)


@dataclass
class Tally:
    patterns: set = field(default_factory=set)
    requests: int = 0
    writes: int = 0
    skipped: dict = field(default_factory=dict)
    no_object: set = field(default_factory=set)  # id-addressed patterns never asked with a real object
    shallow: dict = field(default_factory=dict)  # id-addressed writes refused by their body, not scope
    own_seen: set = field(default_factory=set)
    leaks: list = field(default_factory=list)


def snapshot(target) -> tuple:
    row = None
    if target is not None:
        row = list(type(target).objects.filter(pk=target.pk).values())
    return (AuditEntry.objects.count(), CaseEvent.objects.count(), Notification.objects.count(),
            Notification.objects.filter(read_at__isnull=True).count(), json.dumps(row, default=str))


ALLOWED_STATUS = {200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 409, 422}


def check(tally: Tally, world: ScopeWorld, who: Who, label: str, response) -> None:
    tally.requests += 1
    assert response.status_code in ALLOWED_STATUS, (label, response.status_code)
    text = body_text(response)
    for marker, tags in world.markers.items():
        if marker in text:
            if marker in world.bounded and not re.search(rf"(?<!\d){marker}(?!\d)", text):
                continue
            if who.forbidden(tags):
                tally.leaks.append(f"{label} → {response.status_code} shows {marker} ({'/'.join(sorted(tags))})")
            elif marker in who.own:
                tally.own_seen.add(marker)
    if "application/json" in response.get("Content-Type", "") and response.status_code == 200:
        data = response.json()
        listed = isinstance(data, dict) and isinstance(data.get("items"), list) and isinstance(data.get("count"), int)
        if listed and len(data["items"]) < 100:
            assert data["count"] == len(data["items"]), (label, "a count beyond the rows shown")


def ask(client, tally, world, who, method: str, path: str, *, api_call: bool, target=None, query=None,
        rule_key: str = "", body: dict | None = None):
    label = f"{method} {path}"
    if method == "GET":
        response = client.get(path, query or {})
        check(tally, world, who, label, response)
        return response
    before = snapshot(target)
    if api_call:
        response = client.generic(method, path, json.dumps({**WRITE_BODY, **(body or {})}),
                                  content_type="application/json")
    else:
        response = client.post(path, {k: str(v) for k, v in {**WRITE_BODY, **(body or {})}.items()})
    tally.writes += 1
    check(tally, world, who, label, response)
    after = snapshot(target)
    if before != after and rule_key not in rules.OPEN_WRITES:
        tally.leaks.append(f"{label} → {response.status_code} changed {target!r}: {before} → {after}")
    return response


def run_pages(client, world: ScopeWorld, who: Who, tally: Tally) -> None:
    for route in url_patterns():
        rule = rule_for(route)
        if rule == "api":
            continue
        if isinstance(rule, Skip):
            tally.skipped[route] = rule.why
            continue
        if route in ("", "healthz") or not rule:
            assert not route_parameters(route), f"{route}: an empty rule cannot fill {route_parameters(route)}"
            path = django_path(route, {})
            tally.patterns.add(route)
            ask(client, tally, world, who, "GET", path, api_call=False)
            for place in who.targets[:1]:
                ask(client, tally, world, who, "GET", path, api_call=False, query=hostile_query(world, place))
            continue
        for place in who.targets:
            for values, target in fillings(world, rule, place, who):
                tally.patterns.add(route)
                path = django_path(route, values)
                ask(client, tally, world, who, "GET", path, api_call=False)
                if ((not route.startswith("admin/") or route in rules.ADMIN_WRITES)
                        and not path.endswith((".xlsx", ".pdf", ".geojson"))):
                    response = ask(client, tally, world, who, "POST", path, api_call=False, target=target,
                                   rule_key=route, body=rules.PAGE_BODIES.get(route))
                    if (target is not None and response.status_code == 200 and route not in rules.OPEN_WRITES
                            and FORM_ERROR.search(body_text(response))):
                        tally.shallow[route] = body_text(response)[:160]
        if who.targets and not any(fillings(world, rule, p, who) for p in who.targets):
            tally.no_object.add(route)


def run_api(client, world: ScopeWorld, who: Who, tally: Tally) -> None:
    for op, rule in rules.API.items():
        method, path = op.split(" ", 1)
        if isinstance(rule, Skip):
            tally.skipped[op] = rule.why
            continue
        if not rule:
            tally.patterns.add(op)
            if method == "GET":
                ask(client, tally, world, who, "GET", path, api_call=True, query={"page_size": 100})
                for place in who.targets[:1]:
                    ask(client, tally, world, who, "GET", path, api_call=True, query=hostile_query(world, place))
            elif op not in rules.NO_PLACE_WRITES:
                for place in who.targets:  # a write naming another place in its body
                    if world.community_of(place) in who.joins:
                        continue
                    ask(client, tally, world, who, method, path, api_call=True, rule_key=op,
                        body=place_body(world, place))
            continue
        for place in who.targets:
            for values, target in fillings(world, rule, place, who):
                tally.patterns.add(op)
                filled = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m[1]]), path)
                body = valid_body(world, op, place) if method != "GET" else None
                response = ask(client, tally, world, who, method, filled, api_call=True, target=target,
                               rule_key=op, body=body)
                if (method != "GET" and response.status_code in (400, 422) and target is not None
                        and op not in rules.OPEN_WRITES):
                    tally.shallow[op] = f"{response.status_code} {body_text(response)[:160]}"
        if who.targets and not any(fillings(world, rule, p, who) for p in who.targets):
            tally.no_object.add(op)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """(the world, its media folder), built once per module (once per xdist worker) in a transaction of
    its own: each test runs in a savepoint inside it (pytest-django's ``db``), so what a test writes is
    rolled back and the next user meets the same world. Building it took a few seconds per user. The
    settings the per-test autouse fixtures give (tests/conftest.py) are set here for the build."""
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import translation

    from grassroots.core.memo import forget

    media = tmp_path_factory.mktemp("scope-media")  # the quick reports' photos
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            GRASSROOTS_AFTER_COMMIT="request", MEDIA_ROOT=media):
        translation.activate("zh-hans")
        forget()
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as Django's TestCase marks its own: the code sees no transaction of ours
        atomic.__enter__()
        try:
            yield build_world(), media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            forget()


@pytest.mark.parametrize("username", list(WHO))
def test_nothing_of_another_place(shared_world, client, username, record_property, settings):
    world, settings.MEDIA_ROOT = shared_world
    who = WHO[username]
    user = world.users[username]
    if user is not None:
        client.force_login(user)
    tally = Tally()
    run_pages(client, world, who, tally)
    run_api(client, world, who, tally)
    record_property("scope_routes", sorted(p for p in tally.patterns if p not in rules.API))
    record_property("scope_operations", sorted(p for p in tally.patterns if p in rules.API))
    record_property("scope_skipped", sorted(tally.skipped))
    record_property("scope_requests", tally.requests)
    record_property("scope_writes", tally.writes)
    record_property("scope_leaks", len(tally.leaks))
    record_property("scope_no_object", sorted(tally.no_object))
    record_property("scope_shallow", tally.shallow)
    record_property("scope_total_patterns", len(url_patterns()) + len(api_operations()))
    assert not tally.leaks, f"{len(tally.leaks)} leaks:\n" + "\n".join(tally.leaks[:80])
    shallow = {op: answer for op, answer in tally.shallow.items() if op not in rules.BODY_CHECKED_FIRST}
    assert not shallow, ("writes aimed at another place's object answered by their body's validation, so their "
                         f"scope was never reached — give them a valid body in rules.API_BODIES: {shallow}")
    assert set(who.own) <= tally.own_seen, f"{username} never saw their own {set(who.own) - tally.own_seen}"
    if who.targets:  # every pattern was requested, or said why not (a Skip, or no object of its kind to throw)
        ruled = [r for r in url_patterns() if rule_for(r) != "api"] + list(rules.API)
        dropped = sorted(set(ruled) - tally.patterns - set(tally.skipped) - tally.no_object)
        assert not dropped, f"patterns with a rule that {username} never requested: {dropped}"


def test_the_reader_finds_a_marker_in_every_kind_of_answer():
    """The matrix reads what a person would: a spreadsheet's cells, a PDF's (compressed) text, a
    file name, JSON — a marker hidden in any of them is found."""
    import fpdf
    import openpyxl
    from django.http import HttpResponse, JsonResponse

    book = openpyxl.Workbook()
    book.active.append(["x", "MKREresZ"])
    xlsx = io.BytesIO()
    book.save(xlsx)
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="MKREcaseZ")
    answers = {
        "MKREresZ": HttpResponse(xlsx.getvalue(), content_type="application/vnd.openxmlformats-officedocument"
                                                                ".spreadsheetml.sheet"),
        "MKREcaseZ": HttpResponse(bytes(pdf.output()), content_type="application/pdf"),
        "MKREbodyZ": JsonResponse({"items": [{"title": "MKREbodyZ"}]}),
    }
    named = HttpResponse(b"", content_type="text/plain")
    named["Content-Disposition"] = 'attachment; filename="MKREcontactZ.xlsx"'
    answers["MKREcontactZ"] = named
    for marker, response in answers.items():
        assert marker in body_text(response), marker
    assert b"MKREcaseZ" not in bytes(pdf.output())  # the PDF's text is compressed: only pypdfium2 reads it


def kinds_never_thrown(world: ScopeWorld) -> dict[str, list[str]]:
    """The kinds (model labels) of the id-addressed patterns that no user of the matrix is asked
    with a real object of a place hidden from them: kind → its patterns."""
    items = [(r, rule_for(r)) for r in url_patterns()] + list(rules.API.items())
    never: dict[str, list[str]] = {}
    for route, rule in items:
        if rule == "api" or isinstance(rule, Skip) or not rule:
            continue
        kinds = [f for f in rule.values() if "." in f and not f.startswith("const:")]
        if kinds and not any(fillings(world, rule, p, who) for who in WHO.values() for p in who.targets):
            for kind in kinds:
                never.setdefault(kind, []).append(route)
    return never


def test_every_kind_is_thrown_at_someone(shared_world, db, settings):
    """Each kind of object addressed by id in a pattern exists in the world at a place hidden from
    some user — but for the kinds listed, with the reason, in rules.NO_OBJECT_KINDS."""
    world, settings.MEDIA_ROOT = shared_world
    never = kinds_never_thrown(world)
    for kind, routes in sorted(never.items()):
        print(f"no object to throw: {kind} ({len(routes)} patterns, e.g. {routes[0]})")
    missing = sorted(set(never) - set(rules.NO_OBJECT_KINDS))
    assert not missing, ("these kinds have no object in a place hidden from any user: create one in "
                         f"tests/scope/world_gaps.py (world.put) or list it in rules.NO_OBJECT_KINDS: {missing}")
    stale = sorted(set(rules.NO_OBJECT_KINDS) - set(never))
    assert not stale, f"these kinds do have objects now; drop them from rules.NO_OBJECT_KINDS: {stale}"


def test_a_form_answered_with_its_errors_counts_as_not_reaching_scope():
    """A page write refused by its form (the form again, with the project's error markup) would hide
    whether its scope holds: the matrix recognises that answer and fails unless rules.PAGE_BODIES
    gives the page a valid body."""
    from django import forms
    from django.template.loader import render_to_string

    class ReplyForm(forms.Form):
        reply = forms.CharField(label="答复")

    form = ReplyForm(data={"reply": ""})
    assert not form.is_valid()
    html = "".join(render_to_string("cases/_field.html", {"field": field}) for field in form)
    assert FORM_ERROR.search(html), html
    assert not FORM_ERROR.search('<form method="post"><label>答复<textarea name="reply"></textarea></label></form>')
