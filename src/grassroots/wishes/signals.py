"""What other apps hear from 微心愿 (sent after commit through ``core.events.send``):

* ``wish_confirmed(sender=Wish, wish=…)`` — the community confirmed a wish fulfilled (by
  ``wish.claimed_by``). Durable row: ``Wish.status == confirmed``, ``confirmed_at``.
"""

from __future__ import annotations

from django.dispatch import Signal

wish_confirmed = Signal()
