"""The many-to-many table Django made for ``Merchant.handlers`` becomes an explicit ``through`` model on
the same table and columns, carrying the merchant's district (the shard key, docs/scale.md). Existing
rows are filled with one UPDATE … = (subquery); reversing drops the column and gives the field back its
automatic table (the same table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Merchant = apps.get_model("points", "Merchant")
    apps.get_model("points", "MerchantHandler").objects.update(district_code=Subquery(
        Merchant.objects.filter(pk=OuterRef("merchant_id")).values("district_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("points", "0002_policy_district")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="MerchantHandler",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("merchant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                   to="points.merchant")),
                    ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to=settings.AUTH_USER_MODEL)),
                ],
                options={"verbose_name": "核销人员", "verbose_name_plural": "核销人员",
                         "db_table": "points_merchant_handlers", "unique_together": {("merchant", "user")}},
            ),
            migrations.AlterField(
                model_name="merchant", name="handlers",
                field=models.ManyToManyField(blank=True, related_name="merchants", through="points.MerchantHandler",
                                             to=settings.AUTH_USER_MODEL, verbose_name="核销人员")),
        ]),
        migrations.AddField(model_name="merchanthandler", name="district_code",
                            field=models.CharField(default="", editable=False, max_length=6, verbose_name="区县代码"),
                            preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
