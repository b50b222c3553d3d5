"""What other apps hear from 议事协商 (sent after commit through ``core.events.send``):

* ``attended(sender=Attendance, attendance=…)`` — someone checked in at a meeting. Durable row: the
  ``Attendance`` itself (unique per meeting and person); receivers must be idempotent on it.
"""

from __future__ import annotations

from django.dispatch import Signal

attended = Signal()
