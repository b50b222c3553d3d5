"""Entry carries its transfer's district (the shard key, docs/scale.md). Existing rows are filled from
their transfer; the append-only trigger (0002) is lifted on ledger_entry for that one UPDATE and put back
in the same transaction."""

from django.db import migrations, models

FILL = ("UPDATE ledger_entry SET district_code = "
        "(SELECT t.district_code FROM ledger_transfer t WHERE t.id = ledger_entry.transfer_id)")


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry")
        schema_editor.execute(FILL)
        schema_editor.execute("CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
                              "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only")
        schema_editor.execute(FILL)
        schema_editor.execute("CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE ON ledger_entry "
                              "BEGIN SELECT RAISE(ABORT, 'ledger rows are never changed'); END")
    else:
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only")]
    operations = [
        migrations.AddField(
            model_name="entry", name="district_code",
            field=models.CharField(default="", max_length=6, verbose_name="区县代码"), preserve_default=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
