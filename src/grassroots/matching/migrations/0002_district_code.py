"""Every table of the three lists carries its district (the shard key, docs/scale.md): the project
notes and the agreement lines take their parent's, and the two many-to-many tables Django made
(``Project.needs``, ``Project.resources``) become explicit ``through`` models on the same tables and
columns, so that they can carry it too. Existing rows are filled with one UPDATE … = (subquery) per
table; reversing drops the columns and gives the fields back their automatic tables (the same tables)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# table → (parent model, the column that points to it)
CHILDREN = {
    "ProjectNote": ("Project", "project_id"),
    "ProjectNeed": ("Project", "project_id"),
    "ProjectResource": ("Project", "project_id"),
    "AgreementItem": ("Agreement", "agreement_id"),
}


def fill(apps, schema_editor):
    for name, (parent, column) in CHILDREN.items():
        Parent = apps.get_model("matching", parent)
        apps.get_model("matching", name).objects.update(district_code=Subquery(
            Parent.objects.filter(pk=OuterRef(column)).values("district_code")[:1]))


def through(name, field, fk, verbose):
    """The explicit model of ``Project.<field>``, in the state only (the table exists)."""
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                          to="matching.project")),
            (fk, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                   to=f"matching.{fk}")),
        ],
        options={"verbose_name": verbose, "verbose_name_plural": verbose, "db_table": f"matching_project_{field}",
                 "unique_together": {("project", fk)}},
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            through("ProjectNeed", "needs", "need", "对应需求"),
            migrations.AlterField(
                model_name="project", name="needs",
                field=models.ManyToManyField(blank=True, related_name="projects", through="matching.ProjectNeed",
                                             to="matching.need", verbose_name="对应需求")),
            through("ProjectResource", "resources", "resource", "使用资源"),
            migrations.AlterField(
                model_name="project", name="resources",
                field=models.ManyToManyField(blank=True, related_name="projects", through="matching.ProjectResource",
                                             to="matching.resource", verbose_name="使用资源")),
        ]),
        *[migrations.AddField(model_name=name.lower(), name="district_code",
                              field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                              preserve_default=False)
          for name in CHILDREN],
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
