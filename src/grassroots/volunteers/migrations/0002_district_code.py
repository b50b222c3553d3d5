"""A team's members and an activity's check-in codes carry their parent's district (the shard key,
docs/scale.md). Existing rows are filled with one UPDATE … = (subquery) per table; reversing drops the
columns."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# table → (parent model, the column that points to it)
CHILDREN = {
    "TeamMember": ("Team", "team_id"),
    "CheckCode": ("Activity", "activity_id"),
}


def fill(apps, schema_editor):
    for name, (parent, column) in CHILDREN.items():
        Parent = apps.get_model("volunteers", parent)
        apps.get_model("volunteers", name).objects.update(district_code=Subquery(
            Parent.objects.filter(pk=OuterRef(column)).values("district_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [
        *[migrations.AddField(model_name=name.lower(), name="district_code",
                              field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                              preserve_default=False)
          for name in CHILDREN],
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
