"""What other apps hear from the volunteers app (Django signals, sent after the write commits through
``core.events.send``):

* ``hours_confirmed(sender=Signup, signup=…)`` — the organiser confirmed a volunteer's hours.

The confirmation is also the durable row (``Signup.confirmed_at``, ``hours``); receivers must be
idempotent on the sign-up.
"""

from __future__ import annotations

from django.dispatch import Signal

hours_confirmed = Signal()
