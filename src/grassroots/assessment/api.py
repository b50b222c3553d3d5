"""JSON API of the assessment app (mounted under /api/ by grassroots/api/api.py)."""

from ninja import Router

router = Router()
