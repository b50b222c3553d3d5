"""Issue 15: the public doors — Open311 (JSON and XML) and the resident's pages /r/new/ and /r/t/<code> —
driven by hypothesis with what careless clients and attackers send: coordinates that are no place,
100,000-character text, NUL bytes, emoji, right-to-left marks, HTML and SQL-looking strings, a file
that is no image as a photo, the same form sent twice. Every answer is 2xx, 3xx or 4xx — never a
server error (the test client raises it) — and a refusal says why in Chinese. The requests sent are
counted into the session's "fuzzing:" line (tests/fuzz/summary.py)."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.cases.models import Case, Category
from grassroots.intake.services import api_client_create
from tests.fuzz import summary

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("fuzz")]

CHINESE = re.compile(r"[\u4e00-\u9fff]")
HOSTILE = [
    "长" * 100_000, "a\x00b", "\x00", "🚧💡🏚️" * 20, "\u202e\u200f楼道灯\u202c", "\u200b\ufeff",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "' OR 1=1; DROP TABLE cases_case; --",
    "1; SELECT pg_sleep(10)", "%s%s%n", "../../etc/passwd", "\r\nSet-Cookie: x=1", "  ", "",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
coordinate = st.one_of(
    st.sampled_from(["", "nan", "inf", "-inf", "1e999", "-91", "181", "32.605", "110.705", "0x20",
                     "32,605", "３２.６", "32.605\x00"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str), text)
FUZZ = settings(max_examples=15, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
NOT_AN_IMAGE = [("notes.jpg", b"%PDF-1.4 not a photo", "image/jpeg"), ("x.png", b"\x00" * 64, "image/png"),
                ("run.sh", b"#!/bin/sh\nrm -rf /\n", "application/x-sh"), ("empty.jpg", b"", "image/jpeg")]


class CountingClient(Client):
    """A test client that counts the requests it sends and the server errors among them (a view's
    exception, which the test client raises, or a 5xx answer)."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind, self.requests, self.server_errors = kind, 0, 0

    def request(self, **request):
        self.requests += 1
        try:
            response = super().request(**request)
        except Exception:
            self.server_errors += 1
            raise
        if response.status_code >= 500:
            self.server_errors += 1
        return response


@pytest.fixture
def fuzz_client(figures):
    """fuzz_client(kind) → a CountingClient; its counts are recorded when the test ends, passed or failed."""
    made: list[CountingClient] = []

    def make(kind: str) -> CountingClient:
        made.append(CountingClient(kind))
        return made[-1]

    yield make
    for client in made:
        figures(client.kind, requests=client.requests, server_errors=client.server_errors)


def open311_errors(response, fmt: str) -> str:
    body = response.content.decode()
    if fmt == "json":
        return " ".join(e["description"] for e in json.loads(body))
    return " ".join(re.findall(r"<description>(.*?)</description>", body, re.S))


OPEN311_TYPES = {"json": "application/json", "xml": "text/xml"}
REQUEST_FIELDS = {"service_request_id", "status", "service_code", "requested_datetime"}  # GeoReport v2, required


def open311_items(response, fmt: str) -> tuple[str, list[dict]]:
    """The answer as GeoReport v2 defines it: the format's content type, a body that parses, a list of
    flat items under a root named for them — ("errors" | "service_requests", items)."""
    assert response["Content-Type"].split(";")[0] == OPEN311_TYPES[fmt], response["Content-Type"]
    if fmt == "json":
        items = json.loads(response.content)
        assert isinstance(items, list) and all(isinstance(i, dict) for i in items), items
        root = "errors" if response.status_code >= 400 else "service_requests"
        return root, items
    tree = ElementTree.fromstring(response.content)
    child = {"errors": "error", "service_requests": "request"}.get(tree.tag)
    assert child and all(e.tag == child for e in tree), ElementTree.tostring(tree)[:300]
    return tree.tag, [{f.tag: f.text for f in e} for e in tree]


def assert_open311_conforms(response, fmt: str, *, created: bool = False) -> None:
    """A refusal is GeoReport's error list (code and description for each); a create answers the new
    request's id; a read answers requests with the fields the spec requires."""
    root, items = open311_items(response, fmt)
    if response.status_code >= 400:
        assert root == "errors" and items and all(set(i) >= {"code", "description"} for i in items), items
        assert all(str(i["code"]) == str(response.status_code) for i in items), items
    elif created:
        assert root == "service_requests" and len(items) == 1 and items[0].get("service_request_id"), items
    else:
        assert root == "service_requests" and all(set(i) >= REQUEST_FIELDS for i in items), items


@pytest.fixture
def api_key(tree):
    _client, key = api_client_create(name="市12345平台", source="12345", district=tree.district,
                                     actor=tree.user("root"))
    return key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_requests_with_hostile_fields(tree, api_key, fmt, fuzz_client):
    client = fuzz_client(summary.OPEN311)
    service = Category.objects.filter(parent__isnull=False).values_list("code", flat=True).first() or "010101"

    @FUZZ
    @given(key=st.sampled_from([api_key, "", "nope"]), code=st.one_of(st.just(service), text),
           lat=coordinate, lng=coordinate, description=text, address=text, email=text, phone=text,
           name=text, media=text, idem=st.sampled_from(["", "k-1", "k-1", "\u202ek"]))
    def submit(key, code, lat, lng, description, address, email, phone, name, media, idem):
        data = {"api_key": key, "service_code": code, "lat": lat, "long": lng, "description": description,
                "address_string": address, "email": email, "phone": phone, "first_name": name,
                "media_url": media}
        before = Case.objects.count()
        response = client.post(f"/open311/v2/requests.{fmt}", data,
                               headers={"Idempotency-Key": idem} if idem.isprintable() and idem else {})
        assert response.status_code < 500
        assert_open311_conforms(response, fmt, created=True)
        if response.status_code >= 400:
            assert CHINESE.search(open311_errors(response, fmt)), response.content[:300]
            assert Case.objects.count() == before  # a refusal writes nothing

    submit()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_reads_with_hostile_parameters(tree, fmt, fuzz_client):
    client = fuzz_client(summary.OPEN311)

    @FUZZ
    @given(start=text, end=text, status=text, code=text, ids=text, one=text.filter(lambda s: "/" not in s))
    def read(start, end, status, code, ids, one):
        listing = client.get(f"/open311/v2/requests.{fmt}", {"start_date": start, "end_date": end,
                                                             "status": status, "service_code": code,
                                                             "service_request_id": ids})
        detail = client.get(f"/open311/v2/requests/{one.replace('.', '') or 'x'}.{fmt}")
        for response in (listing, detail):
            assert response.status_code < 500
            assert_open311_conforms(response, fmt)
            if response.status_code >= 400:
                assert CHINESE.search(open311_errors(response, fmt)), response.content[:300]

    read()


def form_key(client) -> str:
    html = client.get("/r/new/").content.decode()
    return re.search(r'name="intake_key" value="([^"]+)"', html).group(1)


def test_resident_report_with_hostile_fields(tree, fuzz_client):
    client = fuzz_client(summary.RESIDENT)

    @FUZZ
    @given(lat=coordinate, lng=coordinate, description=text, name=text, phone=text, address=text,
           title=text, building=text, photo=st.sampled_from([None, *NOT_AN_IMAGE]))
    def report(lat, lng, description, name, phone, address, title, building, photo):
        data = {"description": description, "contact_name": name, "contact_phone": phone, "lat": lat,
                "lng": lng, "address": address, "title": title, "building": building,
                "intake_key": form_key(client)}
        if photo:
            data["photos"] = [SimpleUploadedFile(*photo)]
        before = Case.objects.count()
        response = client.post("/r/new/", data)
        assert response.status_code < 500
        if response.status_code >= 400:
            html = response.content.decode()
            errors = re.findall(r'class="(?:alert error|field-error)"[^>]*>(.*?)</(?:div|p|ul)>', html, re.S)
            assert errors and CHINESE.search(" ".join(errors)), html[:500]
            assert Case.objects.count() == before
        if photo:  # a file that is no image never becomes a case with it
            assert response.status_code >= 400 or not Case.objects.filter(attachments__isnull=False).exists()

    report()


def test_a_double_submit_makes_one_case(tree, fuzz_client):
    client = fuzz_client(summary.RESIDENT)
    key = form_key(client)
    data = {"description": "🚧 楼道灯坏了\u202e <b>一周</b>' OR 1=1 --", "contact_name": "王小明",
            "contact_phone": "13812345678", "lat": "32.605", "lng": "110.705", "intake_key": key}
    first, second = client.post("/r/new/", data), client.post("/r/new/", data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1


def test_tracking_pages_with_hostile_codes(tree, new_case, fuzz_client):
    case = new_case("A")
    client = fuzz_client(summary.RESIDENT)

    @FUZZ
    @given(code=st.one_of(st.just(case.tracking_code), text.filter(lambda s: "/" not in s and s.strip())),
           rating=text, comment=text)
    def track(code, rating, comment):
        page = client.get(f"/r/t/{code}/")
        rated = client.post(f"/r/t/{code}/rate/", {"rating": rating, "comment": comment})
        for response in (page, rated):
            assert response.status_code < 500
            if response.status_code >= 400:
                assert CHINESE.search(re.sub(r"<head>.*?</head>|<nav.*?</nav>", "",
                                             response.content.decode(), flags=re.S)), response.status_code

    track()
