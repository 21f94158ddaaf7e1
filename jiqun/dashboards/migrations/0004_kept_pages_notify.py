"""On PostgreSQL, every statement that writes a table a kept page's fingerprint reads notifies the channel the
server processes listen on (jiqun.dashboards.page_changes). Nothing on SQLite, whose views keep their query."""

from django.db import migrations

CHANNEL = "jiqun_kept_pages"
FUNCTION = "jiqun_kept_pages_changed"
WATCHED = (("sessions", "Session"), ("accounts", "User"), ("audit", "AuditEvent"), ("dashboards", "SummaryState"))


def _tables(apps) -> list[str]:
    user = apps.get_model("accounts", "User")
    tables = [apps.get_model(app, model)._meta.db_table for app, model in WATCHED]
    return [*tables, user._meta.get_field("clusters").remote_field.through._meta.db_table]


def notify(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$")
    for table in _tables(apps):
        name = schema_editor.quote_name(table)
        schema_editor.execute(
            f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")
        # Also in sessions that replicate or restore (session_replication_role = replica).
        schema_editor.execute(f"ALTER TABLE {name} ENABLE ALWAYS TRIGGER {FUNCTION}")


def unnotify(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {schema_editor.quote_name(table)}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):

    dependencies = [
        ("dashboards", "0003_summary_state_incremental"),
        ("sessions", "0001_initial"),
        ("accounts", "0003_pending_role"),
        ("audit", "0002_keyed_chain_seq_scheme"),
    ]

    operations = [migrations.RunPython(notify, unnotify, elidable=False)]
