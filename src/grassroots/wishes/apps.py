from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    """微心愿: the small wishes of people in need, published without who they are, claimed and fulfilled
    by Party members and volunteers, confirmed by the community."""

    name = "grassroots.wishes"
    verbose_name = _("微心愿")

    def ready(self) -> None:
        from grassroots.portal import sections

        from .selectors import my_claims

        sections.register("wishes", template="wishes/_me.html", order=50,
                          context=lambda request, account: {"count": my_claims(request.user).count()})
