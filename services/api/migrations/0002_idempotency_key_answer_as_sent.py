"""A key's answer is kept as the JSON text it was sent as (no jsonb parse on the way in, nothing rendered again on a
replay), compressed with lz4 where the server has it (pglz cost PostgreSQL about 90 us more for a one-call answer)."""

from django.db import migrations, models


def compress_with_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        if cursor.fetchone()[0]:
            cursor.execute("ALTER TABLE api_idempotencykey ALTER COLUMN response_body SET COMPRESSION lz4")


def compress_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE api_idempotencykey ALTER COLUMN response_body SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencykey",
            name="response_body",
            field=models.TextField(null=True, verbose_name="response body"),
        ),
        migrations.RunPython(compress_with_lz4, compress_as_default),
    ]
