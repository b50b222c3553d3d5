"""Notifications after a case event commits.

``case_transition`` and ``case_create`` schedule ``case_event_committed(event_id)`` with
``transaction.on_commit``, so nothing is sent for a change that rolled back. For now it does
nothing; the staff inbox and the outbox (SMS/WeChat gateways) hook in here.
"""

from __future__ import annotations


def case_event_committed(event_id: int) -> None:
    """Called once per committed CaseEvent. Must not raise into the caller's request."""
    return None
