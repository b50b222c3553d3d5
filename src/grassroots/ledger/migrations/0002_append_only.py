"""The database itself refuses to change a ledger row: UPDATE is refused on SQLite and PostgreSQL,
DELETE on PostgreSQL too (SQLite's test teardown empties tables with DELETE; PostgreSQL's uses
TRUNCATE, which row triggers do not see). The one exception is removing a whole district's books
(``ledger.services.erase_district``: the demo's flush), which sets a transaction-local flag first."""

from django.db import migrations

TABLES = ("ledger_transfer", "ledger_entry")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('grassroots.ledger_erase', true) = 'on' THEN
        RETURN OLD;  -- ledger.services.erase_district: a whole (demo) district removed, audited
    END IF;
    RAISE EXCEPTION 'ledger rows are never changed (%% on %%)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                                  "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                                  "BEGIN SELECT RAISE(ABORT, 'ledger rows are never changed'); END")


def backwards(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
