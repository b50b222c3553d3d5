"""The outbox in the admin: read-only, scoped to the district, with a "send again" action for failed
messages. Inboxes are personal and are not shown in the admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin_scope import ReadOnlyAdminMixin, ScopedModelAdmin

from .models import OutboxMessage
from .services import outbox_requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    scope_field = "district_code"
    list_display = ["created_at", "channel", "address_masked", "status", "attempts", "next_attempt_at", "sent_at",
                    "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["key"]
    fields = ["channel", "address_masked", "text", "key", "status", "attempts", "last_error", "next_attempt_at",
              "claimed_at", "created_at", "sent_at", "district_code", "notification"]
    actions = ["requeue"]

    @admin.action(description=_("重新发送选中的失败消息"))
    def requeue(self, request, queryset) -> None:
        count = sum(outbox_requeue(message=m, actor=request.user) for m in queryset)
        self.message_user(request, _("已重新排队 %(n)s 条消息") % {"n": count}, messages.SUCCESS)
