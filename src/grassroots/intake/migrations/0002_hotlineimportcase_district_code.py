"""The rows of a 12345 import carry the import's district (the shard key, docs/scale.md). Existing rows
are filled with one UPDATE … = (subquery); reversing drops the column."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    HotlineImport = apps.get_model("intake", "HotlineImport")
    apps.get_model("intake", "HotlineImportCase").objects.update(district_code=Subquery(
        HotlineImport.objects.filter(pk=OuterRef("job_id")).values("district_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [
        migrations.AddField(model_name="hotlineimportcase", name="district_code",
                            field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                            preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
