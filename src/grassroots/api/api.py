"""The JSON API (django-ninja, OpenAPI at /api/docs). Each app contributes a router of thin handlers
that validate input, call a selector or a service, and return a schema."""

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(title="grassroots API", version="1", auth=django_auth, urls_namespace="api")
