from django.db import migrations


def forwards(apps, schema_editor):
    from grassroots.cases.taxonomy import load_tier_rules

    load_tier_rules(apps.get_model("cases", "Category"), apps.get_model("cases", "TierRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_intake_routing_whistle")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
