"""The audit log moves from the caseworker app to its own: the table is renamed with its rows; on PostgreSQL the
append-only trigger stays on the table (a trigger follows its table) and is renamed with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RENAME_TRIGGER = """
ALTER TRIGGER caseworker_auditentry_append_only ON audit_auditentry RENAME TO audit_auditentry_append_only;
ALTER FUNCTION caseworker_auditentry_append_only() RENAME TO audit_auditentry_append_only;
"""
RENAME_TRIGGER_BACK = """
ALTER TRIGGER audit_auditentry_append_only ON audit_auditentry RENAME TO caseworker_auditentry_append_only;
ALTER FUNCTION audit_auditentry_append_only() RENAME TO caseworker_auditentry_append_only;
"""


def rename_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RENAME_TRIGGER)


def rename_trigger_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RENAME_TRIGGER_BACK)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("caseworker", "0001_initial"),
        ("applications", "0007_queue_all_indexes"),
        ("catalogue", "0003_catalogue_terms_and_form_versions"),
        ("documents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE caseworker_auditentry RENAME TO audit_auditentry",
                    "ALTER TABLE audit_auditentry RENAME TO caseworker_auditentry",
                ),
                migrations.RunPython(rename_trigger, rename_trigger_back),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='at')),
                        ('role', models.CharField(choices=[('caseworker', 'Caseworker'), ('supervisor', 'Supervisor'), ('administrator', 'Portal administrator')], max_length=20, verbose_name='role')),
                        ('action', models.CharField(choices=[('list', 'listed or searched applications'), ('view', 'viewed the application'), ('view_document', 'opened a document'), ('export', 'exported the application'), ('claim', 'claimed the application'), ('release', 'released the application'), ('assign', 'assigned the application'), ('request_information', 'asked the resident for information'), ('approve', 'approved the application'), ('reject', 'rejected the application'), ('note', 'added an internal note')], max_length=30, verbose_name='what')),
                        ('reference', models.CharField(blank=True, db_index=True, max_length=20, verbose_name='reference')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='from address')),
                        ('detail', models.CharField(blank=True, max_length=500, verbose_name='detail')),
                        ('actor', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='audit_entries', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                        ('application', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='audit_entries', to='applications.application', verbose_name='application')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalogue.department', verbose_name='department')),
                        ('document', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='audit_entries', to='documents.document', verbose_name='document')),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit log',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['application', '-created_at'], name='audit_application'), models.Index(fields=['actor', '-created_at'], name='audit_actor')],
                    },
                ),
            ],
        )
    ]
