"""Every 双报到 table carries its district (the shard key, docs/scale.md): the post assignments and the
feedback reports take their parent's, and the many-to-many table Django made for
``MemberRegistration.wanted_posts`` becomes an explicit ``through`` model on the same table and columns,
so that it can carry it too. Existing rows are filled with one UPDATE … = (subquery) per table;
reversing drops the columns and gives the field back its automatic table (the same table)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# table → (parent model, the column that points to it)
CHILDREN = {
    "WantedPost": ("MemberRegistration", "registration_id"),
    "PostAssignment": ("MemberRegistration", "registration_id"),
    "FeedbackReport": ("FeedbackJob", "job_id"),
}


def fill(apps, schema_editor):
    for name, (parent, column) in CHILDREN.items():
        Parent = apps.get_model("service", parent)
        apps.get_model("service", name).objects.update(district_code=Subquery(
            Parent.objects.filter(pk=OuterRef(column)).values("district_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [("service", "0002_postassignment_ordering")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="WantedPost",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("registration", models.ForeignKey(db_column="memberregistration_id",
                                                       on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                       to="service.memberregistration")),
                    ("post", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="service.post")),
                ],
                options={"verbose_name": "申请岗位", "verbose_name_plural": "申请岗位",
                         "db_table": "service_memberregistration_wanted_posts",
                         "unique_together": {("registration", "post")}},
            ),
            migrations.AlterField(
                model_name="memberregistration", name="wanted_posts",
                field=models.ManyToManyField(blank=True, related_name="+", through="service.WantedPost",
                                             to="service.post", verbose_name="申请岗位")),
        ]),
        *[migrations.AddField(model_name=name.lower(), name="district_code",
                              field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                              preserve_default=False)
          for name in CHILDREN],
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
