"""Reads of the notifications app. A notification is only ever visible to its recipient."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from grassroots.core.sensitive import get_sensitive

from .models import Notification

UNREAD_FIRST = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())


def notifications_of(user) -> QuerySet[Notification]:
    """The user's inbox, unread first, newest first within each group."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by(UNREAD_FIRST.desc(), "-created_at", "-pk")


def notification_get_for(user, pk: int) -> Notification:
    """The user's own notification; ``Notification.DoesNotExist`` for anybody else's (even a superuser's)."""
    return notifications_of(user).get(pk=pk)


def unread_count(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def phones_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The decrypted phone of each user whose person record has one (for text messages only)."""
    from grassroots.people.models import Person

    persons = Person.objects.filter(user_id__in=list(user_ids)).exclude(phone_enc="")
    return {p.user_id: get_sensitive(p, "phone") for p in persons}
