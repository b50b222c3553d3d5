"""JSON API of the intake app (mounted under /api/ by grassroots/api/api.py)."""

from ninja import Router

router = Router()
