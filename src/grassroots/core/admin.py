"""The admin site's titles (Chinese, English in an English session). (The audit log's admin lives in ``accounts/admin.py``: who reads
which rows is a matter of roles and scope, which core does not know.)"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("基层治理平台 · 管理后台")
admin.site.site_title = _("基层治理平台管理后台")
admin.site.index_title = _("数据管理")
