from django.conf import settings
from django.utils.translation import gettext as _

from grassroots.accounts.scope import scope_for

from .nav import nav_for


def site(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {
        "nav": nav_for(user, scope),
        "site_name": _("基层治理平台"),
        "tile_url": settings.GRASSROOTS_TILE_URL,
        "tile_attribution": settings.GRASSROOTS_TILE_ATTRIBUTION,
        "scope": scope,
    }
