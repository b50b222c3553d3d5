from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    """Hot problems: rising counts per area, category and week against their own baseline, clusters
    of the same problem across grids, and the street's "problem of the month" (每月一题)."""

    name = "grassroots.hotspots"
    verbose_name = _("热点问题")

# The labels of the likes this app added to cases/ (Case.likes) and intake/ (the 点赞数 column):
# their English lives in this app's catalogue.
LIKES_LABELS = (_("点赞数"), _("点踩数"), _("来源渠道上其他居民的点赞/附议数"),
                _("留言板等渠道上其他居民的点赞/附议数；热点问题按涉及群众排序时计入"))
