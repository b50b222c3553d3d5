"""Open311 GeoReport v2 output: the same data as JSON or XML (the XML is what the spec defines; the
JSON follows it by the Spark convention), and errors in the spec's shape.

    [{"code": 404, "description": "…"}]
    <?xml version="1.0" encoding="utf-8"?><errors><error><code>404</code><description>…</description></error></errors>
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item in a list, by the list's element name.
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
             "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    """An error to answer in the spec's shape, with the HTTP status ``code``."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def w3c(moment: datetime | None) -> str | None:
    """2026-05-01T09:30:00+08:00: the W3C date-time profile of ISO 8601, with the offset."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Characters XML 1.0 does not allow even escaped (C0 controls but tab, newline and return; U+FFFE/U+FFFF;
# lone surrogates): one in a stored text or an echoed id would make the whole document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        item = ITEM_TAGS.get(tag, "item")
        for child in value:
            node.append(_element(item, child))
    else:
        node.text = _NOT_XML.sub("\ufffd", _scalar(value))
    return node


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` (a list or a dict) as JSON, or as XML under the element ``root``."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    else:
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, data), encoding="unicode")
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def render_errors(fmt: str, errors: list[tuple[int, str]], status: int) -> HttpResponse:
    return render(fmt, "errors", [{"code": code, "description": text} for code, text in errors], status=status)
