"""Handing a report's stored file to a browser (pages and API alike)."""

from __future__ import annotations

import io

from django.http import FileResponse, Http404


def file_response(field, *, mime: str, filename: str, attachment: bool) -> FileResponse:
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404("报告文件已不在存储中，请重新生成这份月度报告") from None
    return FileResponse(io.BytesIO(data), content_type=mime, as_attachment=attachment, filename=filename)
