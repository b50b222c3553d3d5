"""The many-to-many table Django made for ``MonthlyProblem.cases`` becomes an explicit ``through`` model
on the same table and columns, carrying the problem's district (the shard key, docs/scale.md). Existing
rows are filled with one UPDATE … = (subquery); reversing drops the column and gives the field back
its automatic table (the same table)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    MonthlyProblem = apps.get_model("hotspots", "MonthlyProblem")
    apps.get_model("hotspots", "MonthlyProblemCase").objects.update(district_code=Subquery(
        MonthlyProblem.objects.filter(pk=OuterRef("problem_id")).values("district_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_case_likes"), ("hotspots", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="MonthlyProblemCase",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("problem", models.ForeignKey(db_column="monthlyproblem_id",
                                                  on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                  to="hotspots.monthlyproblem")),
                    ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="cases.case")),
                ],
                options={"verbose_name": "关联诉求", "verbose_name_plural": "关联诉求",
                         "db_table": "hotspots_monthlyproblem_cases", "unique_together": {("problem", "case")}},
            ),
            migrations.AlterField(
                model_name="monthlyproblem", name="cases",
                field=models.ManyToManyField(blank=True, related_name="monthly_problems",
                                             through="hotspots.MonthlyProblemCase", to="cases.case",
                                             verbose_name="关联诉求")),
        ]),
        migrations.AddField(model_name="monthlyproblemcase", name="district_code",
                            field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                            preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
