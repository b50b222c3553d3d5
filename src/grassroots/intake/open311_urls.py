"""/open311/v2/: the GeoReport v2 resources, each as .json or .xml."""

from django.urls import path, re_path

from . import open311

app_name = "open311"
F = r"(?P<fmt>json|xml)"
urlpatterns = [
    path("", open311.discovery, {"fmt": "xml"}, name="root"),
    re_path(rf"^discovery\.{F}$", open311.discovery, name="discovery"),
    re_path(rf"^services\.{F}$", open311.services, name="services"),
    re_path(rf"^services/(?P<service_code>[^/]+)\.{F}$", open311.service_definition, name="service"),
    re_path(rf"^requests\.{F}$", open311.requests, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[^/]+)\.{F}$", open311.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{F}$", open311.token, name="token"),
    re_path(rf"^(?P<path>.*)\.{F}$", open311.not_found),
    re_path(r"^(?P<path>.*)$", open311.not_found, {"fmt": "xml"}),
]
