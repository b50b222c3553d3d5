"""The admin site's Chinese titles. (The audit log's admin lives in ``accounts/admin.py``: who reads
which rows is a matter of roles and scope, which core does not know.)"""

from __future__ import annotations

from django.contrib import admin

admin.site.site_header = "基层治理平台 · 管理后台"
admin.site.site_title = "基层治理平台管理后台"
admin.site.index_title = "数据管理"
