"""On PostgreSQL built with lz4 (the default of 15's packages): a run's JSON text is compressed with lz4 rather than
pglz when TOAST stores it. A national run's snapshot, about a megabyte, took the server 15 ms to compress with pglz
and takes 7 with lz4; it reads back the same. Rows stored earlier keep pglz until rewritten. Elsewhere nothing.
A dump of such a database restores onto a server without lz4 with `pg_dump --no-toast-compression`."""

from django.db import migrations

COLUMNS = ("snapshot", "result", "stability")


def compression(name: str):
    def alter(apps, schema_editor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if name != "default":  # the server's own default is always there; lz4 only when built with it
                cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                               "AND %s = ANY(enumvals)", [name])
                if cursor.fetchone() is None:
                    return
            table = schema_editor.quote_name("evaluation_run")
            for column in COLUMNS:
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} "
                               f"SET COMPRESSION {name}")
    return alter


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0009_run_json_as_text'),
    ]

    operations = [
        migrations.RunPython(compression("lz4"), compression("default")),
    ]
