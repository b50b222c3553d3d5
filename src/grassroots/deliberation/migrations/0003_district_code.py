"""Every deliberation table carries its district (the shard key, docs/scale.md): the child tables take
their parent's, and the two many-to-many tables Django made (``Meeting.invite_units``,
``Resolution.cases``) become explicit ``through`` models on the same tables and columns, so that they
can carry it too. Existing rows are filled with one UPDATE … = (subquery) per table; reversing drops
the columns and gives the many-to-many fields back their automatic tables (the same tables)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# table → (parent model, the column that points to it)
CHILDREN = {
    "AgendaItem": ("Meeting", "meeting_id"),
    "Attendance": ("Meeting", "meeting_id"),
    "MeetingInvitedUnit": ("Meeting", "meeting_id"),
    "ProgressNote": ("Resolution", "resolution_id"),
    "ResolutionCase": ("Resolution", "resolution_id"),
    "Support": ("Topic", "topic_id"),
    "VoterRoll": ("Vote", "vote_id"),
    "Tally": ("Vote", "vote_id"),
    "ConventionVersion": ("Convention", "convention_id"),
}


def fill(apps, schema_editor):
    for name, (parent, column) in CHILDREN.items():
        Parent = apps.get_model("deliberation", parent)
        apps.get_model("deliberation", name).objects.update(district_code=Subquery(
            Parent.objects.filter(pk=OuterRef(column)).values("district_code")[:1]))


def field():
    return models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码")


def through(name, table, fk_from, to_from, fk_to, to_to, verbose):
    """The explicit model of an automatic many-to-many table, in the state only (the table exists)."""
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            (fk_from, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to_from)),
            (fk_to, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to_to)),
        ],
        options={"verbose_name": verbose, "verbose_name_plural": verbose, "db_table": table,
                 "unique_together": {(fk_from, fk_to)}},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_likes"),
        ("orgs", "0001_initial"),
        ("deliberation", "0002_resolution_cases"),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            through("MeetingInvitedUnit", "deliberation_meeting_invite_units", "meeting", "deliberation.meeting",
                    "unit", "orgs.unit", "邀请单位"),
            migrations.AlterField(
                model_name="meeting", name="invite_units",
                field=models.ManyToManyField(blank=True, related_name="+", through="deliberation.MeetingInvitedUnit",
                                             to="orgs.unit", verbose_name="邀请单位")),
            through("ResolutionCase", "deliberation_resolution_cases", "resolution", "deliberation.resolution",
                    "case", "cases.case", "所答复的诉求"),
            migrations.AlterField(
                model_name="resolution", name="cases",
                field=models.ManyToManyField(blank=True, help_text="决议办结时，这些诉求收到答复", related_name="+",
                                             through="deliberation.ResolutionCase", to="cases.case",
                                             verbose_name="所答复的诉求")),
        ]),
        *[migrations.AddField(model_name=name.lower(), name="district_code", field=field(), preserve_default=False)
          for name in CHILDREN],
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
