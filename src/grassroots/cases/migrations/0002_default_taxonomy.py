from django.db import migrations


def forwards(apps, schema_editor):
    from grassroots.cases.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
