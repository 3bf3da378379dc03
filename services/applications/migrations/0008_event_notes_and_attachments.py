"""Timeline notes as choices (no change in the database), and the attached documents move here from the documents
app: the table is renamed with its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_queue_all_indexes"), ("documents", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="applicationevent",
            name="note",
            field=models.CharField(blank=True, choices=[("intake_checked", "Intake checks done."), ("routing_failed", "Routing failed after its retries; staff can retry it."), ("routing_retried", "Routing retried."), ("overdue", "Past its due date: the department's supervisors were notified."), ("assigned", "Assigned to")], max_length=30, verbose_name="note"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE documents_applicationdocument RENAME TO applications_applicationdocument",
                    "ALTER TABLE applications_applicationdocument RENAME TO documents_applicationdocument",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ApplicationDocument",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("attached_at", models.DateTimeField(auto_now_add=True, verbose_name="attached at")),
                        ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="document_links", to="applications.application")),
                        ("document", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="application_links", to="documents.document")),
                    ],
                    options={
                        "verbose_name": "attached document",
                        "verbose_name_plural": "attached documents",
                        "ordering": ["attached_at", "id"],
                        "constraints": [models.UniqueConstraint(fields=("application", "document"), name="unique_attachment")],
                    },
                ),
            ],
        ),
    ]
