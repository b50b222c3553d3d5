from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "grassroots.cases"
    verbose_name = _("诉求")

    def ready(self) -> None:
        from grassroots.areas.models import Area
        from grassroots.core import deferred
        from grassroots.core.jobs import register_task
        from grassroots.core.memo import forget_on_change
        from grassroots.orgs.models import Duty, Unit

        from .models import Category, TierRule
        from .services import AFTER_RECEIVE, COUNT_NEW, after_receive, after_receive_reads, count_new
        from .sweep import sweep_task

        register_task("cases.sweep", sweep_task)
        deferred.register(AFTER_RECEIVE, after_receive, prepare=after_receive_reads)
        deferred.register(COUNT_NEW, count_new, last=True)
        forget_on_change("cases.tier_rules", TierRule, Category)
        forget_on_change("cases.category_parents", Category)
        forget_on_change("cases.categories", Category)
        forget_on_change("cases.category_choices", Category)
        forget_on_change("cases.duties", Duty, Unit, Area, Category)
