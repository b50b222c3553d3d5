"""The committee seats and the duty catalogue carry their district (the shard key, docs/scale.md):
a seat its committee's, a duty its area's. Existing rows are filled with one UPDATE … = (subquery)
per table; reversing drops the columns."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr


def fill(apps, schema_editor):
    PartyOrg = apps.get_model("orgs", "PartyOrg")
    Area = apps.get_model("areas", "Area")
    apps.get_model("orgs", "CommitteeSeat").objects.update(district_code=Subquery(
        PartyOrg.objects.filter(pk=OuterRef("committee_id")).values("district_code")[:1]))
    apps.get_model("orgs", "Duty").objects.update(district_code=Subquery(
        Area.objects.filter(pk=OuterRef("area_id")).annotate(dc=Substr("code", 1, 6)).values("dc")[:1]))


def field():
    return models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial"), ("areas", "0001_initial")]
    operations = [
        migrations.AddField(model_name="committeeseat", name="district_code", field=field(), preserve_default=False),
        migrations.AddField(model_name="duty", name="district_code", field=field(), preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
