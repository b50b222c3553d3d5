"""The criteria, scores and rating events carry their scheme's/rating's district (the shard key,
docs/scale.md); existing rows are filled from the parent."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    StarScheme = apps.get_model("stars", "StarScheme")
    StarRating = apps.get_model("stars", "StarRating")
    apps.get_model("stars", "StarCriterion").objects.update(district_code=Subquery(
        StarScheme.objects.filter(pk=OuterRef("scheme_id")).values("district_code")[:1]))
    for name in ("StarScore", "StarRatingEvent"):
        apps.get_model("stars", name).objects.update(district_code=Subquery(
            StarRating.objects.filter(pk=OuterRef("rating_id")).values("district_code")[:1]))


def field():
    return models.CharField(default="", max_length=6, verbose_name="区县代码")


class Migration(migrations.Migration):
    dependencies = [("stars", "0001_initial")]
    operations = [
        migrations.AddField(model_name="starcriterion", name="district_code", field=field(), preserve_default=False),
        migrations.AddField(model_name="starratingevent", name="district_code", field=field(),
                            preserve_default=False),
        migrations.AddField(model_name="starscore", name="district_code", field=field(), preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
